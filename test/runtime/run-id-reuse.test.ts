import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { createRuntime, defineTool, loadConfigText } from "../../src/index.ts";
import type { ApprovalDecision, ApprovalRequest } from "../../src/spec/approval.ts";
import { type MockRequest, startMockProvider } from "../../src/testing/index.ts";
import { mockDefaultsToml } from "../support/workspace.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const toolResults = (request: MockRequest) =>
  (request.body as { messages: { role: string }[] }).messages.filter((message) => message.role === "tool")
    .length;

/**
 * A library runtime whose agent `a` calls `danger` `calls` times (one call per turn), then
 * answers; `danger` fails while `failing` says so. Returns the runtime and what ran and was asked.
 */
async function dangerRuntime(policy: string, calls: number, decide?: () => ApprovalDecision) {
  const mock = await startMockProvider({
    turns: (request) =>
      toolResults(request) >= calls
        ? { text: "done" }
        : { toolCalls: [{ id: `c${toolResults(request)}`, name: "danger", arguments: {} }] },
  });
  cleanups.push(() => mock.close());
  const dir = mkdtempSync(join(tmpdir(), "agentry-run-id-reuse-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const state = { executed: 0, failing: false, asked: [] as ApprovalRequest[] };
  const danger = defineTool({
    name: "danger",
    description: "Does something that needs a human's approval.",
    parameters: z.object({}),
    execute: () => {
      state.executed += 1;
      return state.failing ? { ok: false as const, output: "", error: "broken" } : "did it";
    },
  });
  const loaded = await loadConfigText(
    `${mockDefaultsToml(mock.baseUrls.openai, "a")}
[agents.a]
tools = ["danger"]
${policy}
`,
    { tools: [danger] },
  );
  const runtime = createRuntime(loaded, {
    tools: [danger],
    stateDir: dir,
    collectGarbage: false,
    ...(decide
      ? {
          ask: async (request: ApprovalRequest) => {
            state.asked.push(request);
            return decide();
          },
        }
      : {}),
  });
  cleanups.push(() => runtime.close());
  return { runtime, state };
}

test("'approve for the run' does not cover a later run that reuses the run id", async () => {
  let decision: ApprovalDecision = { decision: "approve", scope: "run", by: "alice" };
  const { runtime, state } = await dangerRuntime(
    `mode = "ask"\npolicy = { approval = { tools = ["danger"] } }`,
    1,
    () => decision,
  );
  const first = await runtime.run({ prompt: "one", runId: "job-1", approve: "ask" });
  expect(first.status).toBe("ok");
  decision = { decision: "deny", by: "bob", reason: "not today" };
  const second = await runtime.run({ prompt: "two", runId: "job-1", approve: "ask" });
  expect(second.status).toBe("ok");
  expect(state.asked.map((request) => request.runId)).toEqual(["job-1", "job-1"]);
  expect(state.executed).toBe(1);
  expect(second.refusedCalls).toBe(1);
});

test("a run that reuses the run id of a run stopped by failure limits starts with its own counts", async () => {
  const { runtime, state } = await dangerRuntime(
    `mode = "auto"\npolicy = { failures = { max_consecutive = 1 } }`,
    2,
  );
  state.failing = true;
  const first = await runtime.run({ prompt: "one", runId: "job-2" });
  expect([first.status, first.stopReason]).toEqual(["failed", "tool_error"]);
  state.failing = false;
  const executedBefore = state.executed;
  const second = await runtime.run({ prompt: "two", runId: "job-2" });
  expect([second.status, second.refusedCalls]).toEqual(["ok", 0]);
  expect(state.executed - executedBefore).toBe(2);
});
