import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type MockProvider,
  type MockRequest,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

const lastOf = (request: MockRequest) =>
  (request.body as { messages: { role: string; content: string }[] }).messages.at(-1) as {
    role: string;
    content: string;
  };

async function setup(turns: (request: MockRequest, index: number) => MockTurn, agentExtra = "") {
  mock = await startMockProvider({ turns });
  ws = makeWorkspace(`
[defaults]
agent = "worker"
model = "mock/gpt-4.1-mini"
max_turns = 12
${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]

[audit]
path = "audit.jsonl"

[agents.worker]
tools = ["sh"]
mode = "auto"
${agentExtra}
`);
  return ws;
}

function agentry(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
    timeoutMs: 30_000,
  });
}

function auditRecords(): Record<string, unknown>[] {
  if (!ws) throw new Error("no workspace");
  return parseNdjson(readFileSync(join(ws.dir, "audit.jsonl"), "utf8"));
}

describe("cut-off tool arguments are never executed (issue 11 item 5)", () => {
  test("a turn that ends with finish_reason length: the call is not run, the model is told and may retry", async () => {
    await setup((request, index) => {
      if (index === 0) {
        return {
          toolCalls: [{ id: "c1", name: "sh", arguments: '{"command": "touch MARKER' }],
          finish: "length",
        };
      }
      if (index === 1)
        return { toolCalls: [{ id: "c2", name: "sh", arguments: { command: "echo retried" } }] };
      return { text: `model saw: ${lastOf(request).content.includes("retried") ? "retry ran" : "?"}` };
    });
    const result = await agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    expect(existsSync(join(ws?.dir ?? "", "MARKER"))).toBe(false);
    const results = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(results[0]).toMatchObject({ id: "c1", ok: false, stopped_by: "arguments" });
    expect(String(results[0]?.error)).toContain("cut off");
    expect(results[1]).toMatchObject({ id: "c2", ok: true });
    const second = mock?.requests[1];
    if (!second) throw new Error("no second request");
    const toolMessage = lastOf(second);
    expect(toolMessage?.role).toBe("tool");
    expect(toolMessage?.content).toContain("cut off");
  });

  test("unclosed JSON is not repaired into a command even when the turn claims to be complete", async () => {
    await setup((_request, index) =>
      index === 0
        ? { toolCalls: [{ id: "c1", name: "sh", arguments: '{"command": "touch MARKER' }] }
        : { text: "gave up" },
    );
    const result = await agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    expect(existsSync(join(ws?.dir ?? "", "MARKER"))).toBe(false);
    const failed = parseNdjson(result.stdout).find((e) => e.type === "tool_result");
    expect(String(failed?.error)).toContain("cut off");
  });
});

describe("one owner per audit record kind", () => {
  test("a run stopped by loop detection has exactly one policy_stop record, naming the layer", async () => {
    await setup(() => ({ toolCalls: [{ id: "l", name: "sh", arguments: { command: "echo again" } }] }));
    const result = await agentry(["run", "go"]);
    expect(result.code).toBe(1);
    const stops = auditRecords().filter((r) => r.type === "policy_stop");
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ reason: "loop", by: "loop_detection" });
  });

  test("a run stopped by failure limits has exactly one policy_stop record", async () => {
    await setup(
      (_request, index) => ({
        toolCalls: [{ id: `f${index}`, name: "sh", arguments: { command: `exit ${index + 1}` } }],
      }),
      "policy = { failures = { max_consecutive = 2 } }",
    );
    const result = await agentry(["run", "go"]);
    expect(result.code).toBe(1);
    const stops = auditRecords().filter((r) => r.type === "policy_stop");
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ reason: "tool_error", by: "failure_limits" });
  });
});
