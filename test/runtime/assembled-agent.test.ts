import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { RUN_STOP_GRACE_MS } from "../../src/agent/run-stop-race.ts";
import { createRuntime, defineTool, loadConfigText, type Runtime } from "../../src/index.ts";
import type { RunRequest } from "../../src/runtime/run-request.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import {
  type ManualClock,
  type MockRequest,
  manualClock,
  startMockProvider,
} from "../../src/testing/index.ts";
import { mockDefaultsToml } from "../support/workspace.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const lastRole = (request: MockRequest) =>
  (request.body as { messages: { role: string }[] }).messages.at(-1)?.role;

/** A runtime over a mock that calls `count` once per run, then answers; and how often it ran. */
async function countingRuntime(policy: string) {
  const mock = await startMockProvider({
    turns: (request) =>
      lastRole(request) === "tool"
        ? { text: "done" }
        : { toolCalls: [{ id: "c1", name: "count", arguments: {} }] },
  });
  cleanups.push(() => mock.close());
  const dir = mkdtempSync(join(tmpdir(), "agentry-assembled-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let executed = 0;
  const count = defineTool({
    name: "count",
    description: "Counts.",
    parameters: z.object({}),
    readOnly: true,
    execute: () => String(++executed),
  });
  const loaded = await loadConfigText(
    `${mockDefaultsToml(mock.baseUrls.openai, "a")}
[agents.a]
tools = ["count"]
mode = "auto"
${policy}
`,
    { tools: [count] },
  );
  const runtime = createRuntime(loaded, { tools: [count], stateDir: dir, collectGarbage: false });
  cleanups.push(() => runtime.close());
  return { runtime, dir, mock, executed: () => executed };
}

test("rate.per_minute = 1 holds across two runtime.run calls: the second run's call is refused", async () => {
  const { runtime, executed } = await countingRuntime("policy = { rate = { per_minute = 1 } }");
  const first = await runtime.run({ prompt: "one" });
  const second = await runtime.run({ prompt: "two" });
  expect([first.status, second.status]).toEqual(["ok", "ok"]);
  expect(executed()).toBe(1);
});

test("a second runtime starts its own rate limit (state is per runtime, not per process)", async () => {
  const a = await countingRuntime("policy = { rate = { per_minute = 1 } }");
  const b = await countingRuntime("policy = { rate = { per_minute = 1 } }");
  await a.runtime.run({ prompt: "one" });
  await b.runtime.run({ prompt: "one" });
  expect([a.executed(), b.executed()]).toEqual([1, 1]);
});

async function recordOnce(runtime: Runtime, file: string): Promise<string[]> {
  await runtime.run({ prompt: "record me", recordFile: file });
  return readFileSync(file, "utf8").trim().split("\n");
}

test("recording from two runtimes: the second truncates the cassette instead of appending", async () => {
  const first = await countingRuntime("");
  const file = join(first.dir, "cassette.jsonl");
  const once = await recordOnce(first.runtime, file);
  expect(once).toHaveLength(3);
  expect(await recordOnce(first.runtime, file)).toHaveLength(5);
  const second = await countingRuntime("");
  const fresh = await recordOnce(second.runtime, file);
  expect(fresh).toHaveLength(3);
  expect(JSON.parse(fresh[0] as string)).toMatchObject({ agentry_cassette: 1 });
});

/** A runtime on a manual clock whose only tool never settles and ignores its AbortSignal. */
async function stuckRuntime(clock: ManualClock) {
  const mock = await startMockProvider({
    turns: () => ({ toolCalls: [{ id: "c1", name: "stuck", arguments: {} }] }),
  });
  cleanups.push(() => mock.close());
  const dir = mkdtempSync(join(tmpdir(), "agentry-stuck-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const stuck = defineTool({
    name: "stuck",
    description: "Never returns.",
    parameters: z.object({}),
    readOnly: true,
    execute: () => new Promise<string>(() => {}),
  });
  const loaded = await loadConfigText(
    `${mockDefaultsToml(mock.baseUrls.openai, "a")}
[agents.a]
tools = ["stuck"]
mode = "auto"
policy = { tool_timeout = "10m" }
`,
    { tools: [stuck] },
  );
  const runtime = createRuntime(loaded, { tools: [stuck], stateDir: dir, clock });
  cleanups.push(() => runtime.close());
  return runtime;
}

/** A run of `runtime` and a promise settled once its tool call has started. */
function startRun(runtime: Runtime, request: Omit<RunRequest, "onEvent">) {
  let started = () => {};
  const toolStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  const result = runtime.run({
    ...request,
    onEvent: (event) => {
      if (event.type === "tool_call") started();
    },
  });
  return { result, toolStarted };
}

test("the run deadline ends a run whose tool ignores cancellation, one grace period later", async () => {
  const clock = manualClock();
  const { result, toolStarted } = startRun(await stuckRuntime(clock), { prompt: "go", timeoutMs: 60_000 });
  await toolStarted;
  clock.advance(60_000);
  clock.advance(RUN_STOP_GRACE_MS);
  expect(await result).toMatchObject({ status: "failed", stopReason: "timeout", exitCode: 1 });
});

test("an interrupt ends a run whose tool ignores cancellation (exit 130)", async () => {
  const clock = manualClock();
  const controller = new AbortController();
  const { result, toolStarted } = startRun(await stuckRuntime(clock), {
    prompt: "go",
    signal: controller.signal,
  });
  await toolStarted;
  controller.abort(new RunStop("interrupted"));
  clock.advance(RUN_STOP_GRACE_MS);
  expect(await result).toMatchObject({ status: "interrupted", stopReason: "interrupted", exitCode: 130 });
});
