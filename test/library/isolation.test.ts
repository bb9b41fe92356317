import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import {
  createRuntime,
  defineTool,
  loadConfigText,
  type Middleware,
  type Runtime,
  runStream,
} from "../../src/index.ts";
import { type MockProvider, type MockRequest, startMockProvider } from "../../src/testing/index.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Side {
  name: string;
  mock: MockProvider;
  runtime: Runtime;
  stateDir: string;
  layerSaw: string[];
  toolArgs: string[];
}

function lastToolContent(request: MockRequest): string {
  const body = request.body as { messages: { role: string; content: unknown }[] };
  return String(body.messages.findLast((m) => m.role === "tool")?.content ?? "");
}

/**
 * One host's runtime: its own mock server, agent, model name, state dir, `lookup` tool (same
 * name, different behaviour) and middleware. The model calls `lookup` with `key`, then (once a tool result is
 * in the conversation) answers with what the tool returned.
 */
async function side(name: string, key: () => string, answer: string): Promise<Side> {
  const mock = await startMockProvider({
    turns: (request) =>
      lastToolContent(request) === ""
        ? { toolCalls: [{ name: "lookup", arguments: { key: key() } }] }
        : { text: `${name} got ${lastToolContent(request).split("\n")[1] ?? ""}` },
  });
  const stateDir = mkdtempSync(join(tmpdir(), `agentry-iso-${name}-`));
  const toolArgs: string[] = [];
  const layerSaw: string[] = [];
  const lookup = defineTool({
    name: "lookup",
    description: "Looks a key up.",
    parameters: z.object({ key: z.string() }),
    execute: async ({ key: value }) => {
      toolArgs.push(value);
      return answer;
    },
  });
  const layer: Middleware = async (ctx, call, next) => {
    layerSaw.push(`${ctx.agent}/${call.name}`);
    return next(call);
  };
  const loaded = await loadConfigText(
    `
[defaults]
agent = "${name}"
model = "mock/model-${name}"

[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
retries = 0

[agents.${name}]
instructions = "You are ${name}."
tools = ["lookup"]
mode = "auto"
`,
    { tools: [lookup] },
  );
  const runtime = createRuntime(loaded, {
    tools: [lookup],
    stateDir,
    middleware: [{ after: "logger", layer }],
  });
  cleanups.push(
    () => mock.close(),
    () => runtime.close(),
    () => rmSync(stateDir, { recursive: true, force: true }),
  );
  return { name, mock, runtime, stateDir, layerSaw, toolArgs };
}

function auditOf(s: Side): Record<string, unknown>[] {
  return readFileSync(join(s.stateDir, "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("two runtimes running concurrently share no server, tool, middleware, audit log or session", async () => {
  const a = await side("alpha", () => "k1", "value from alpha");
  const b = await side("beta", () => "k2", "value from beta");
  const runs = await Promise.all(
    [a, b].flatMap((s) =>
      [1, 2, 3].map((i) => {
        const { events, result } = runStream(s.runtime, { prompt: `go ${i}`, session: `shared-${i}` });
        return (async () => {
          for await (const _ of events);
          return { side: s, result: await result };
        })();
      }),
    ),
  );
  for (const { side: s, result } of runs) {
    expect(result.status).toBe("ok");
    expect(result.agent).toBe(s.name);
    expect(result.answer).toBe(`${s.name} got value from ${s.name}`);
  }
  for (const s of [a, b]) {
    expect(s.mock.requests.map((r) => r.model)).toEqual(Array(6).fill(`model-${s.name}`));
    expect(s.layerSaw).toEqual(Array(3).fill(`${s.name}/lookup`));
    expect(s.toolArgs).toEqual(Array(3).fill(s.name === "alpha" ? "k1" : "k2"));
    const ownRuns = new Set(runs.filter((r) => r.side === s).map((r) => r.result.runId));
    const audit = auditOf(s);
    expect(new Set(audit.map((record) => record["run_id"]))).toEqual(ownRuns);
    expect(new Set(audit.map((record) => record["agent"]))).toEqual(new Set([s.name]));
    for (const i of [1, 2, 3]) {
      const session = JSON.parse(readFileSync(join(s.stateDir, "sessions", `shared-${i}.json`), "utf8"));
      expect(session.agent).toBe(s.name);
    }
  }
});

test("a redaction placeholder issued in one runtime means nothing in another", async () => {
  let placeholder = "";
  const a = await side("alpha", () => "who?", "owner is alice@example.com");
  const b = await side("beta", () => placeholder, "no such key");
  const first = await a.runtime.run({ prompt: "who owns it?" });
  expect(first.status).toBe("ok");
  const seenByModel = lastToolContent(a.mock.requests[1] as MockRequest);
  expect(seenByModel).not.toContain("alice@example.com");
  placeholder = /\[PII:email:[0-9a-f]+\]/.exec(seenByModel)?.[0] ?? "";
  expect(placeholder).not.toBe("");
  await b.runtime.run({ prompt: "look it up" });
  expect(b.toolArgs).toEqual([placeholder]);
  expect(existsSync(join(b.stateDir, "audit.jsonl"))).toBe(true);
  expect(readFileSync(join(b.stateDir, "audit.jsonl"), "utf8")).not.toContain("alice@example.com");
});
