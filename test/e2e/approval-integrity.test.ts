import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { byToolResults } from "../support/mock-turns.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

interface Body {
  messages: { role: string; content: string | null }[];
}

/** A mock model whose answer depends on how many tool results the conversation holds. */
async function setup(turns: MockTurn[]): Promise<Workspace> {
  mock = await startMockProvider({ turns: byToolResults(turns) });
  ws = makeWorkspace(`
[defaults]
agent = "ops"
model = "mock/gpt-4.1-mini"
max_turns = 10

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]

[audit]
path = "audit.jsonl"

[agents.ops]
mode = "ask"
tools = ["sh"]
[agents.ops.policy]
approval = { tools = ["sh"] }
`);
  return ws;
}

function agentry(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
  });
}

const sh = (id: string, command: string): MockTurn => ({
  toolCalls: [{ id, name: "sh", arguments: { command } }],
});

/** Defers the first call and approves it as alice; returns the run id and its state file. */
async function deferAndApprove(): Promise<{ runId: string; runFile: string; approvalId: string }> {
  const deferred = await agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
  expect(deferred.code).toBe(5);
  const events = parseNdjson(deferred.stdout);
  const approvalId = String(events.find((e) => e.type === "approval" && e.state === "deferred")?.approval_id);
  const runId = String(events[0]?.run_id);
  const approve = await agentry(["approvals", "approve", approvalId, "--by", "alice"]);
  expect(approve.code).toBe(0);
  return { runId, runFile: join(ws?.stateDir ?? "", "runs", `${runId}.json`), approvalId };
}

function callsLog(): string {
  const path = join(ws?.dir ?? "", "calls.log");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

function lastToolResult(): string {
  const body = mock?.requests.at(-1)?.body as Body;
  return String(body.messages.filter((message) => message.role === "tool").at(-1)?.content);
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
    const resumed = await agentry(["resume", runId, "--output", "ndjson"]);
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
    const decisions = parseNdjson(readFileSync(join(ws?.dir ?? "", "audit.jsonl"), "utf8"))
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
    const refused = await agentry(["resume", runId]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("failed its integrity check");
    expect(callsLog()).toBe("");

    const forged = JSON.parse(original);
    forged.pending[0].decision = { ...forged.pending[0].decision, by: "mallory" };
    writeFileSync(runFile, JSON.stringify(forged));
    expect((await agentry(["resume", runId])).code).toBe(3);
    expect(callsLog()).toBe("");

    const list = await agentry(["approvals", "list"]);
    expect(list.code).toBe(0);
    expect(list.stderr).toContain("failed its integrity check");

    const audit = readFileSync(join(ws?.dir ?? "", "audit.jsonl"), "utf8");
    expect(audit.match(/"reason":"state_integrity"/g)?.length).toBe(2);

    writeFileSync(runFile, original);
    const honest = await agentry(["resume", runId]);
    expect(honest.code).toBe(0);
    expect(callsLog()).toBe("approved\n");
  });

  test("kill -9 during resume: the stale lock is taken over and the approved call never runs twice", async () => {
    await setup([sh("k1", "echo ran >> calls.log; kill -9 $PPID"), { text: "finished after the crash" }]);
    const { runId } = await deferAndApprove();

    const crashed = await agentry(["resume", runId]);
    expect(crashed.signal).toBe("SIGKILL");
    expect(callsLog()).toBe("ran\n");
    expect(readdirSync(join(ws?.stateDir ?? "", "runs"))).toContain(`${runId}.json.lock`);

    const again = await agentry(["resume", runId]);
    expect(again.stderr).not.toContain("in use");
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("finished after the crash\n");
    expect(callsLog()).toBe("ran\n");
    expect(lastToolResult()).toContain("was not run again");
    expect(readdirSync(join(ws?.stateDir ?? "", "runs"))).not.toContain(`${runId}.json.lock`);
  });

  test("the state key is 0600 in a 0700 state dir and is never printed", async () => {
    await setup([sh("c1", "echo approved >> calls.log"), { text: "finished" }]);
    const { runId, runFile } = await deferAndApprove();
    const keyFile = join(ws?.stateDir ?? "", "state.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(runFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(ws?.stateDir ?? "", "runs")).mode & 0o777).toBe(0o700);
    const key = readFileSync(keyFile);
    const resumed = await agentry(["resume", runId, "--output", "ndjson"]);
    for (const text of [resumed.stdout, resumed.stderr, readFileSync(runFile, "utf8")]) {
      expect(text).not.toContain(key.toString("hex"));
      expect(text).not.toContain(key.toString("base64"));
    }
  });
});
