import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { MockTurn } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { byToolResults } from "../support/mock-turns.ts";
import { mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

/** Looks like no known key format: only its registration as a configured secret can hide it. */
const SECRET = "correct-horse-battery-staple-99";

const e2e = e2eFixture();

/** A mock model answering by the number of tool results so far. */
async function setup(turns: MockTurn[], agentExtra = 'mode = "auto"'): Promise<Workspace> {
  const mock = await e2e.mock(byToolResults(turns));
  return e2e.workspace(`
[defaults]
agent = "ops"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH", "DEPLOY_TOKEN"]

[agents.ops]
tools = ["sh"]
${agentExtra}
`);
}

function agentry(args: string[]) {
  return e2e.agentry(args, { env: { DEPLOY_TOKEN: SECRET } });
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("secrets at rest on the compiled binary (issue 11 item 13)", () => {
  test("--record writes a redacted cassette, 0600 in a new 0700 directory, that still replays", async () => {
    await setup([
      { toolCalls: [{ id: "t1", name: "sh", arguments: { command: `echo ${SECRET} > used.txt` } }] },
      { text: `deployed with ${SECRET}` },
    ]);
    const prompt = `deploy using ${SECRET}`;
    const recorded = await agentry(["run", "--record", "tapes/run.jsonl", prompt]);
    expect(recorded.code).toBe(0);
    const tape = join(e2e.ws.dir, "tapes", "run.jsonl");
    expect(mode(tape)).toBe(0o600);
    expect(mode(join(e2e.ws.dir, "tapes"))).toBe(0o700);
    const content = readFileSync(tape, "utf8");
    expect(content).not.toContain(SECRET);
    expect(content).toMatch(/deploy using \[PII:secret:[0-9a-f]+\]/);
    expect(readFileSync(join(e2e.ws.dir, "used.txt"), "utf8")).toBe(`${SECRET}\n`);

    const requests = e2e.provider.requests.length;
    const replayed = await agentry(["run", "--replay", "tapes/run.jsonl", "--output", "ndjson", prompt]);
    expect(replayed.stderr).not.toContain("diverged");
    expect(replayed.code).toBe(0);
    expect(e2e.provider.requests.length).toBe(requests);
    const end = parseNdjson(replayed.stdout).find((event) => event.type === "run_end");
    expect(end?.status).toBe("ok");
    expect(String(end?.answer)).toMatch(/^deployed with \[PII:secret:[0-9a-f]+\]$/);

    const viaProvider = e2e.ws.write(
      "replay.toml",
      `[defaults]\nagent = "ops"\nmodel = "tape/recorded"\n\n[providers.tape]\nkind = "replay"\ncassette = "tapes/run.jsonl"\n\n[tools.sh]\nkind = "shell"\nshell = true\n\n[agents.ops]\nmode = "auto"\ntools = ["sh"]\n`,
    ) as string;
    const fromConfig = await runBinary(["run", "-c", viaProvider, prompt], {
      cwd: e2e.ws.dir,
      env: { DEPLOY_TOKEN: SECRET, AGENTRY_STATE_DIR: e2e.ws.stateDir },
    });
    expect(fromConfig.stderr).not.toContain("diverged");
    expect(fromConfig.code).toBe(0);
  });

  test("spill files and session files hold no raw secret and are 0600 in 0700 dirs", async () => {
    await setup(
      [
        { toolCalls: [{ id: "s1", name: "sh", arguments: { command: "seq 1 400; printenv DEPLOY_TOKEN" } }] },
        { text: "read it" },
      ],
      'mode = "auto"\n[agents.ops.policy]\nenrich = { max_output = 200 }',
    );
    const run = await agentry(["run", "--session", "s1", `remember ${SECRET}`]);
    expect(run.code).toBe(0);
    const state = e2e.ws.stateDir;
    const spills = filesUnder(join(state, "spill"));
    expect(spills).toHaveLength(1);
    const sessionFile = join(state, "sessions", "s1.json");
    for (const file of [...spills, sessionFile]) {
      expect(readFileSync(file, "utf8")).not.toContain(SECRET);
      expect(mode(file)).toBe(0o600);
    }
    expect(readFileSync(spills[0] as string, "utf8")).toContain("400\n[PII:secret:");
    for (const dir of [join(state, "spill"), join(state, "sessions")]) expect(mode(dir)).toBe(0o700);
  });

  test("deferred-run JSON and approvals list hold no raw secret; resume still runs the real value", async () => {
    await setup(
      [
        { toolCalls: [{ id: "d1", name: "sh", arguments: { command: `echo ${SECRET} > used.txt` } }] },
        { text: "ok" },
      ],
      'mode = "ask"\n[agents.ops.policy]\napproval = { tools = ["sh"] }',
    );
    const deferred = await agentry(["run", "--approve", "defer", "--output", "ndjson", `ship ${SECRET}`]);
    expect(deferred.code).toBe(5);
    const events = parseNdjson(deferred.stdout);
    const runId = String(events[0]?.run_id);
    const approvalId = String(
      events.find((e) => e.type === "approval" && e.state === "deferred")?.approval_id,
    );
    const runFile = join(e2e.ws.stateDir, "runs", `${runId}.json`);
    expect(readFileSync(runFile, "utf8")).not.toContain(SECRET);
    expect(mode(runFile)).toBe(0o600);

    const list = await agentry(["approvals", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(approvalId);
    expect(list.stdout).toContain("[PII:secret:");
    expect(list.stdout + list.stderr).not.toContain(SECRET);

    expect((await agentry(["approvals", "approve", approvalId, "--by", "alice"])).code).toBe(0);
    const resumed = await agentry(["resume", runId]);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(e2e.ws.dir, "used.txt"), "utf8")).toBe(`${SECRET}\n`);
    expect(readFileSync(runFile, "utf8")).not.toContain(SECRET);
  });
});
