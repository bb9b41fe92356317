import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type MockProvider,
  type MockRequest,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  const held = ws && join(ws.dir, "hold.pid");
  const pid = held && existsSync(held) ? Number(readFileSync(held, "utf8").trim()) : 0;
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
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

/**
 * A shell call that ignores cancellation: a process in its own session (out of reach of the
 * process-group kill) keeps the call's output pipe open for 30 s; its pid goes to hold.pid.
 */
const HOLD = "setsid -f sh -c 'echo $$ > hold.pid; exec sleep 30'; sleep 30";

describe("the run deadline and signals end the run whatever a tool does (issue 11 item 8)", () => {
  test("timeout ends the run on time with the timeout stop reason and the audit flushed", async () => {
    await setup(
      (_request, index) =>
        index === 0
          ? { toolCalls: [{ id: "h", name: "sh", arguments: { command: HOLD } }] }
          : { text: "never" },
      'timeout = "1s"\npolicy = { tool_timeout = "10m" }',
    );
    const result = await agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(1);
    const end = parseNdjson(result.stdout).find((e) => e.type === "run_end");
    expect(end).toMatchObject({ status: "failed", stop_reason: "timeout" });
    const records = auditRecords();
    expect(records.at(-1)).toMatchObject({ type: "run_end", stop_reason: "timeout" });
    expect(records.filter((r) => r.type === "policy_stop")).toEqual([
      expect.objectContaining({ reason: "timeout" }),
    ]);
  });

  test("SIGINT ends the run with exit 130 while the tool ignores its cancellation", async () => {
    const workspace = await setup(
      (_request, index) =>
        index === 0
          ? { toolCalls: [{ id: "h", name: "sh", arguments: { command: HOLD } }] }
          : { text: "never" },
      'policy = { tool_timeout = "10m" }',
    );
    const child = spawn(BINARY, ["run", "go", "-c", workspace.configPath], {
      cwd: workspace.dir,
      env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", AGENTRY_STATE_DIR: workspace.stateDir },
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const bound = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const held = join(workspace.dir, "hold.pid");
    while (!existsSync(held) || readFileSync(held, "utf8").trim() === "") await Bun.sleep(20);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    clearTimeout(bound);
    expect(auditRecords().at(-1)).toMatchObject({ type: "run_end", stop_reason: "interrupted" });
  });
});

describe("failure limits hold for parallel calls (issue 11 item 19)", () => {
  test("ten parallel failing calls with max_total = 3: at most four run (as one by one), the run stops", async () => {
    await setup(
      (_request, index) =>
        index === 0
          ? {
              toolCalls: Array.from({ length: 10 }, (_, i) => ({
                id: `p${i}`,
                name: "sh",
                arguments: { command: `echo ${i} >> ran.log; exit 1` },
              })),
            }
          : { text: "never" },
      "policy = { failures = { max_total = 3, max_consecutive = 100 } }",
    );
    const result = await agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(1);
    const ran = readFileSync(join(ws?.dir ?? "", "ran.log"), "utf8")
      .trim()
      .split("\n");
    expect(ran.length).toBeLessThanOrEqual(4);
    const results = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(results).toHaveLength(10);
    expect(results.filter((e) => e.stopped_by === "failure_limits")).toHaveLength(10 - ran.length);
    expect(parseNdjson(result.stdout).find((e) => e.type === "run_end")).toMatchObject({
      stop_reason: "tool_error",
    });
  });
});
