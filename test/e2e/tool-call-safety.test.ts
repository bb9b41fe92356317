import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MockRequest, MockTurn } from "../../src/testing/index.ts";
import { BINARY } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { lastOf } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML, type Workspace } from "../support/workspace.ts";

const e2e = e2eFixture();

/** Kills the process whose pid a test's tool wrote to `hold.pid` (it holds the output pipe open). */
function killHeld(ws: Workspace): void {
  const held = join(ws.dir, "hold.pid");
  const pid = existsSync(held) ? Number(readFileSync(held, "utf8").trim()) : 0;
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

async function setup(turns: (request: MockRequest, index: number) => MockTurn, agentExtra = "") {
  const mock = await e2e.mock(turns);
  const ws = e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "worker", { maxTurns: 12 })}
${SHELL_TOOL_TOML}
[audit]
path = "audit.jsonl"

[agents.worker]
tools = ["sh"]
mode = "auto"
${agentExtra}
`);
  e2e.afterThis(() => killHeld(ws));
  return ws;
}

function auditRecords(): Record<string, unknown>[] {
  return parseNdjson(readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8"));
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
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    expect(existsSync(join(e2e.ws.dir, "MARKER"))).toBe(false);
    const results = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(results[0]).toMatchObject({ id: "c1", ok: false, stopped_by: "arguments" });
    expect(String(results[0]?.error)).toContain("cut off");
    expect(results[1]).toMatchObject({ id: "c2", ok: true });
    const second = e2e.provider.requests[1];
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
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    expect(existsSync(join(e2e.ws.dir, "MARKER"))).toBe(false);
    const failed = parseNdjson(result.stdout).find((e) => e.type === "tool_result");
    expect(String(failed?.error)).toContain("cut off");
  });
});

describe("one owner per audit record kind", () => {
  test("a run stopped by loop detection has exactly one policy_stop record, naming the layer", async () => {
    await setup(() => ({ toolCalls: [{ id: "l", name: "sh", arguments: { command: "echo again" } }] }));
    const result = await e2e.agentry(["run", "go"]);
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
    const result = await e2e.agentry(["run", "go"]);
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
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
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
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(1);
    const ran = readFileSync(join(e2e.ws.dir, "ran.log"), "utf8").trim().split("\n");
    expect(ran.length).toBeLessThanOrEqual(4);
    const results = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(results).toHaveLength(10);
    expect(results.filter((e) => e.stopped_by === "failure_limits")).toHaveLength(10 - ran.length);
    expect(parseNdjson(result.stdout).find((e) => e.type === "run_end")).toMatchObject({
      stop_reason: "tool_error",
    });
  });
});
