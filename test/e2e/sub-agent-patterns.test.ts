import { describe, expect, test } from "bun:test";
import type { MockTurn } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { byToolResults } from "../support/mock-turns.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

const e2e = e2eFixture();

const delegate = (id: string, task: string): MockTurn => ({
  toolCalls: [{ id, name: "agent_helper", arguments: { task } }],
});

/**
 * Agent `boss` (model `mock/boss`) lists `agent:helper` (model `mock/helper`, which answers
 * "helped"), with `policy` as its policy table; the boss model makes `calls`, then answers "done".
 * Returns the run's events and how many requests reached the helper's model.
 */
async function runBoss(policy: string, mode: string, calls: MockTurn[]) {
  const boss = byToolResults([...calls, { text: "done" }]);
  const mock = await e2e.mock((request) => (request.model === "helper" ? { text: "helped" } : boss(request)));
  e2e.workspace(`
[defaults]
agent = "boss"
model = "mock/boss"

${mockProviderToml(mock.baseUrls.openai)}
[agents.boss]
tools = ["agent:helper"]
mode = "${mode}"
policy = { approval = ${policy} }

[agents.helper]
model = "mock/helper"
`);
  const result = await e2e.agentry(["run", "--output", "ndjson", "boss", "go"]);
  const events = result.code === null ? [] : parseNdjson(result.stdout);
  const results = new Map(
    events.filter((event) => event.type === "tool_result").map((event) => [String(event.id), event]),
  );
  const helperRequests = mock.requests.filter((request) => request.model === "helper").length;
  return { result, events, results, helperRequests };
}

describe("approval patterns naming a sub-agent tool on the compiled binary", () => {
  test("deny agent:helper:*wipe* refuses that delegation (the helper never runs) and lets others through", async () => {
    const run = await runBoss('{ deny = ["agent:helper:*wipe*"] }', "auto", [
      delegate("d1", "wipe the disk"),
      delegate("d2", "say hi"),
    ]);
    expect(run.result.code).toBe(0);
    expect(run.results.get("d1")).toMatchObject({ ok: false });
    expect(String(run.results.get("d1")?.error)).toContain('deny pattern "agent:helper:*wipe*"');
    expect(run.results.get("d2")).toMatchObject({ ok: true });
    expect(run.helperRequests).toBe(1);
  });

  test("deny agent:helper refuses every delegation to it", async () => {
    const run = await runBoss('{ deny = ["agent:helper"] }', "auto", [delegate("d1", "say hi")]);
    expect(run.result.code).toBe(0);
    expect(String(run.results.get("d1")?.error)).toContain('deny pattern "agent:helper"');
    expect(run.helperRequests).toBe(0);
  });

  test("approval.tools agent:helper asks (denied without a terminal); except agent:helper exempts", async () => {
    const asked = await runBoss('{ tools = ["agent:helper"] }', "ask", [delegate("d1", "say hi")]);
    expect(asked.result.code).toBe(0);
    expect(asked.events).toContainEqual(
      expect.objectContaining({ type: "approval", state: "asked", tool: "agent_helper" }),
    );
    expect(asked.results.get("d1")).toMatchObject({ ok: false });
    expect(asked.helperRequests).toBe(0);

    const exempt = await runBoss('{ tools = ["*"], except = ["agent:helper"] }', "ask", [
      delegate("d1", "say hi"),
    ]);
    expect(exempt.result.code).toBe(0);
    expect(exempt.events.some((event) => event.type === "approval")).toBe(false);
    expect(exempt.results.get("d1")).toMatchObject({ ok: true });
    expect(exempt.helperRequests).toBe(1);
  });
});
