import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MockTurn } from "../../src/testing/index.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { byToolResults, messagesOf, shellCall as sh } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML, type Workspace } from "../support/workspace.ts";

const e2e = e2eFixture();

/** A mock model whose answer depends on how many tool results the conversation holds. */
async function setup(turns: MockTurn[]): Promise<Workspace> {
  const mock = await e2e.mock(byToolResults(turns));
  return e2e.workspace(`
${mockDefaultsToml(mock.baseUrls.openai, "ops", { maxTurns: 10 })}
${SHELL_TOOL_TOML}
[audit]
path = "audit.jsonl"

[agents.ops]
mode = "ask"
tools = ["sh"]
[agents.ops.policy]
approval = { tools = ["sh"] }
`);
}

/** Defers the first call and approves it as alice; returns the run id and its state file. */
async function deferAndApprove(): Promise<{ runId: string; runFile: string; approvalId: string }> {
  const deferred = await e2e.agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
  expect(deferred.code).toBe(5);
  const events = parseNdjson(deferred.stdout);
  const approvalId = String(events.find((e) => e.type === "approval" && e.state === "deferred")?.approval_id);
  const runId = String(events[0]?.run_id);
  const approve = await e2e.agentry(["approvals", "approve", approvalId, "--by", "alice"]);
  expect(approve.code).toBe(0);
  return { runId, runFile: join(e2e.ws.stateDir, "runs", `${runId}.json`), approvalId };
}

function callsLog(): string {
  const path = join(e2e.ws.dir, "calls.log");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

function lastToolResult(): string {
  const last = e2e.provider.requests.at(-1);
  return String(
    last &&
      messagesOf(last)
        .filter((message) => message.role === "tool")
        .at(-1)?.content,
  );
}

describe("approval decisions on the compiled binary (issue 11 items 2, 17)", () => {
  test("approval ids are server-generated, never the model's call id", async () => {
    await setup([sh("c1", "echo first >> calls.log")]);
    const { approvalId, runId } = await deferAndApprove();
    expect(approvalId).toMatch(new RegExp(`^${runId}-[0-9a-f]{16}$`));
    expect(approvalId).not.toBe(`${runId}-c1`);
  });

  test("a model reusing an approved call id for a later call after resume is asked again, not granted", async () => {
    await setup([
      sh("c1", "echo first >> calls.log"),
      sh("c1", "echo second >> calls.log"),
      sh("c1", "echo first >> calls.log"),
      { text: "finished" },
    ]);
    const { runId } = await deferAndApprove();
    const resumed = await e2e.agentry(["resume", runId, "--output", "ndjson"]);
    expect(resumed.code).toBe(0);
    expect(callsLog()).toBe("first\n");
    const events = parseNdjson(resumed.stdout);
    const approvals = events.filter((e) => e.type === "approval").map((e) => `${e.state}:${e.by}`);
    expect(approvals).toEqual([
      "granted:alice",
      "asked:undefined",
      "denied:policy:--approve deny",
      "asked:undefined",
      "denied:policy:--approve deny",
    ]);
    const results = events.filter((e) => e.type === "tool_result").map((e) => e.ok);
    expect(results).toEqual([true, false, false]);
    const decisions = parseNdjson(readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8"))
      .filter((record) => record.type === "tool_call")
      .map((record) => `${record.decision}:${(record.approval as { by?: string } | undefined)?.by}`);
    expect(decisions).toEqual([
      "refused:undefined",
      "executed:alice",
      "refused:policy:--approve deny",
      "refused:policy:--approve deny",
    ]);
  });

  test("a decision forged or altered in runs/RUN.json is refused with a clear error, audited, never executed", async () => {
    await setup([sh("c1", "echo approved >> calls.log"), { text: "finished" }]);
    const { runId, runFile } = await deferAndApprove();
    const original = readFileSync(runFile, "utf8");

    const altered = JSON.parse(original);
    altered.pending[0].call.arguments = JSON.stringify({ command: "echo forged >> calls.log" });
    writeFileSync(runFile, JSON.stringify(altered));
    const refused = await e2e.agentry(["resume", runId]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("failed its integrity check");
    expect(callsLog()).toBe("");

    const forged = JSON.parse(original);
    forged.pending[0].decision = { ...forged.pending[0].decision, by: "mallory" };
    writeFileSync(runFile, JSON.stringify(forged));
    expect((await e2e.agentry(["resume", runId])).code).toBe(3);
    expect(callsLog()).toBe("");

    const list = await e2e.agentry(["approvals", "list"]);
    expect(list.code).toBe(0);
    expect(list.stderr).toContain("failed its integrity check");

    const audit = readFileSync(join(e2e.ws.dir, "audit.jsonl"), "utf8");
    expect(audit.match(/"reason":"state_integrity"/g)?.length).toBe(2);

    writeFileSync(runFile, original);
    const honest = await e2e.agentry(["resume", runId]);
    expect(honest.code).toBe(0);
    expect(callsLog()).toBe("approved\n");
  });

  test("kill -9 during resume: the stale lock is taken over and the approved call never runs twice", async () => {
    await setup([sh("k1", "echo ran >> calls.log; kill -9 $PPID"), { text: "finished after the crash" }]);
    const { runId } = await deferAndApprove();

    const crashed = await e2e.agentry(["resume", runId]);
    expect(crashed.signal).toBe("SIGKILL");
    expect(callsLog()).toBe("ran\n");
    expect(readdirSync(join(e2e.ws.stateDir, "runs"))).toContain(`${runId}.json.lock`);

    const again = await e2e.agentry(["resume", runId]);
    expect(again.stderr).not.toContain("in use");
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("finished after the crash\n");
    expect(callsLog()).toBe("ran\n");
    expect(lastToolResult()).toContain("was not run again");
    expect(readdirSync(join(e2e.ws.stateDir, "runs"))).not.toContain(`${runId}.json.lock`);
  });

  test("the state key is 0600 in a 0700 state dir and is never printed", async () => {
    await setup([sh("c1", "echo approved >> calls.log"), { text: "finished" }]);
    const { runId, runFile } = await deferAndApprove();
    const keyFile = join(e2e.ws.stateDir, "state.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(runFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(e2e.ws.stateDir, "runs")).mode & 0o777).toBe(0o700);
    const key = readFileSync(keyFile);
    const resumed = await e2e.agentry(["resume", runId, "--output", "ndjson"]);
    for (const text of [resumed.stdout, resumed.stderr, readFileSync(runFile, "utf8")]) {
      expect(text).not.toContain(key.toString("hex"));
      expect(text).not.toContain(key.toString("base64"));
    }
  });
});
