import { afterEach, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { shellCall } from "../support/mock-turns.ts";
import { OBSERVED_SECRETS, observedEnv, startObservedRun } from "../support/observed-run.ts";
import { runInTerminal } from "../support/terminal.ts";
import {
  makeWorkspace,
  mockDefaultsToml,
  mockProviderToml,
  parseNdjson,
  SHELL_TOOL_TOML,
  type Workspace,
} from "../support/workspace.ts";

const FIXTURE = join(import.meta.dir, "../fixtures/runs/observed");
const FIXTURE_RUN = "r20261130T062014-e5701f";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let home: string | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
  mock = undefined;
  ws = undefined;
  home = undefined;
});

/** Runs `agentry runs …` on the fixture state dir, from an empty directory with an empty HOME. */
function onFixture(args: string[], env: Record<string, string | undefined> = {}) {
  home = mkdtempSync(join(tmpdir(), "agentry-runs-"));
  return runBinary(["runs", ...args], { cwd: home, env: { HOME: home, AGENTRY_STATE_DIR: FIXTURE, ...env } });
}

describe("agentry runs on a recorded run (golden files)", () => {
  test("runs show: a waterfall with a 429 retry, parallel sub-agents under their tool calls and a denial", async () => {
    const shown = await onFixture(["show", FIXTURE_RUN]);
    expect(shown.stderr).toBe("");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(readFileSync(join(FIXTURE, "show.txt"), "utf8"));
  });

  test("runs show takes the unique start of an id; an unknown id is exit 2", async () => {
    const shown = await onFixture(["show", "r20261130T0620"]);
    expect(shown.stdout).toBe(readFileSync(join(FIXTURE, "show.txt"), "utf8"));
    const unknown = await onFixture(["show", "r1999"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run record "r1999"');
  });

  test("runs list: a table, filters and --json", async () => {
    const listed = await onFixture(["list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(readFileSync(join(FIXTURE, "list.txt"), "utf8"));
    const json = await onFixture(["list", "--json", "--agent", "lead", "--status", "ok"]);
    const runs = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(runs.map((run) => [run["run_id"], run["exit_code"], run["turns"]])).toEqual([[FIXTURE_RUN, 0, 2]]);
    expect(JSON.parse((await onFixture(["list", "--json", "--agent", "other"])).stdout)).toEqual([]);
    expect(JSON.parse((await onFixture(["list", "--json", "--status", "failed"])).stdout)).toEqual([]);
    expect(JSON.parse((await onFixture(["list", "--json", "--since", "2026-12-01"])).stdout)).toEqual([]);
    expect((await onFixture(["list", "--since", "yesterday-ish"])).code).toBe(2);
  });

  test("colours on a TTY, plain text with NO_COLOR", async () => {
    home = mkdtempSync(join(tmpdir(), "agentry-runs-"));
    const coloured = await runInTerminal(["runs", "show", FIXTURE_RUN], {
      cwd: home,
      env: { HOME: home, AGENTRY_STATE_DIR: FIXTURE, NO_COLOR: undefined, TERM: "xterm" },
    });
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain("\u001b[35m█");
    expect(coloured.stdout).toContain("\u001b[33m█");
    const plain = await runInTerminal(["runs", "show", FIXTURE_RUN], {
      cwd: home,
      env: { HOME: home, AGENTRY_STATE_DIR: FIXTURE, NO_COLOR: "1" },
    });
    expect(plain.stdout).not.toContain("\u001b[");
    expect(plain.stdout).toContain("denied by approval");
  });
});

describe("run records of live runs", () => {
  test("a run is recorded (redacted) and shown: retry, parallel sub-agents, denial; --ephemeral records nothing", async () => {
    ({ mock, ws } = await startObservedRun());
    const workspace = ws;
    const env = observedEnv(workspace);
    const run = await runBinary(
      ["run", "-c", workspace.configPath, "--output", "json", `help ${OBSERVED_SECRETS.email}`],
      {
        cwd: workspace.dir,
        env,
        timeoutMs: 60_000,
      },
    );
    expect(run.code).toBe(0);
    const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
    const files = readdirSync(join(workspace.stateDir, "records")).sort();
    expect(files).toEqual([`${runId}.json`, `${runId}.ndjson`]);
    for (const file of files) {
      const text = readFileSync(join(workspace.stateDir, "records", file), "utf8");
      expect(text).not.toContain(OBSERVED_SECRETS.email);
      expect(text).not.toContain(OBSERVED_SECRETS.token);
    }
    const shown = await runBinary(["runs", "show", runId, "-c", workspace.configPath], {
      cwd: workspace.dir,
      env,
    });
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split("\n");
    expect(lines[0]).toBe(`run ${runId} · agent lead · ok (answer) · exit 0`);
    const index = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(index(/^├─ model turn 1 {2}120→30 tok/)).toBeGreaterThan(0);
    expect(index(/↻ 1 retry \(1× 429\)/)).toBe(index(/^├─ model turn 1 /) + 1);
    expect(index(/^│ {2}└─ alpha {2}mock\/m1 · ok/)).toBe(index(/^├─ agent_alpha /) + 1);
    expect(index(/^│ {2}└─ beta {2}mock\/m1 · ok/)).toBe(index(/^├─ agent_beta /) + 1);
    expect(index(/^├─ sh \{"command":"rm -rf build"\} {2}denied by approval/)).toBeGreaterThan(0);
    expect(shown.stdout).toContain('matches deny pattern "sh:rm *"');
    expect(index(/^└─ model turn 2 /)).toBe(lines.length - 2);

    const ephemeral = await runBinary(["run", "-c", workspace.configPath, "--ephemeral", "again"], {
      cwd: workspace.dir,
      env,
      timeoutMs: 60_000,
    });
    expect(ephemeral.code).toBe(0);
    expect(readdirSync(join(workspace.stateDir, "records")).sort()).toEqual(files);
  }, 90_000);

  test("[state] keep_runs keeps the newest runs; keep_runs = 0 records nothing", async () => {
    mock = await startMockProvider({ turns: () => ({ text: "fine" }) });
    ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/m"
${mockProviderToml(mock.baseUrls.openai)}
[state]
keep_runs = 2
[agents.a]
`);
    const workspace = ws;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await runBinary(["run", "-c", workspace.configPath, "--output", "json", `hi ${i}`], {
        cwd: workspace.dir,
        env: { AGENTRY_STATE_DIR: workspace.stateDir },
        timeoutMs: 30_000,
      });
      expect(run.code).toBe(0);
      ids.push((JSON.parse(run.stdout) as { run_id: string }).run_id);
    }
    const listed = await runBinary(["runs", "list", "--json", "-c", workspace.configPath], {
      cwd: workspace.dir,
      env: { AGENTRY_STATE_DIR: workspace.stateDir },
    });
    const kept = (JSON.parse(listed.stdout) as { run_id: string }[]).map((run) => run.run_id);
    expect(kept).toEqual([ids[3] as string, ids[2] as string]);

    const off = workspace.write(
      "off.toml",
      readFileSync(workspace.configPath, "utf8").replace("keep_runs = 2", "keep_runs = 0"),
    );
    const offState = join(workspace.dir, "state-off");
    const run = await runBinary(["run", "-c", off, "hi"], {
      cwd: workspace.dir,
      env: { AGENTRY_STATE_DIR: offState },
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(0);
    expect(readdirSync(offState)).not.toContain("records");
  }, 90_000);

  test.skipIf(!existsSync("/dev/full"))(
    "a run whose audit log cannot be written still closes its record with its outcome (exit 1)",
    async () => {
      mock = await startMockProvider({ turns: () => ({ text: "fine" }) });
      ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/m"
${mockProviderToml(mock.baseUrls.openai)}
[audit]
path = "/dev/full"
[agents.a]
`);
      const run = await runBinary(["run", "-c", ws.configPath, "--output", "json", "hi"], {
        cwd: ws.dir,
        env: { AGENTRY_STATE_DIR: ws.stateDir },
        timeoutMs: 30_000,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("cannot write audit log /dev/full");
      const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
      const summary = JSON.parse(readFileSync(join(ws.stateDir, "records", `${runId}.json`), "utf8"));
      expect(summary).toMatchObject({ run_id: runId, status: "ok", stop_reason: "answer" });
      expect(summary).not.toHaveProperty("pid");
    },
  );

  test.skipIf(!existsSync("/dev/full"))(
    "an audit log that cannot be written fails closed: the model's tool call is refused, nothing runs, the run fails (exit 1)",
    async () => {
      mock = await startMockProvider({ turns: [shellCall("t1", "touch ran-unaudited"), { text: "done" }] });
      ws = makeWorkspace(`
${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${SHELL_TOOL_TOML}
[audit]
path = "/dev/full"
[agents.ops]
tools = ["sh"]
mode = "auto"
`);
      const run = await runBinary(["run", "-c", ws.configPath, "--output", "ndjson", "go"], {
        cwd: ws.dir,
        env: { AGENTRY_STATE_DIR: ws.stateDir },
        timeoutMs: 30_000,
      });
      expect(run.code).toBe(1);
      expect(existsSync(join(ws.dir, "ran-unaudited"))).toBe(false);
      const events = parseNdjson(run.stdout);
      expect(events.find((e) => e.type === "tool_result")).toMatchObject({ ok: false, stopped_by: "audit" });
      expect(events.at(-1)).toMatchObject({ type: "run_end", status: "failed", stop_reason: "audit" });
      expect(mock.requests).toHaveLength(1);
      expect(run.stderr).toContain("cannot write audit log /dev/full");
    },
  );

  test("a deferred run whose state cannot be saved still emits run_end and closes its record, then fails (exit 1)", async () => {
    mock = await startMockProvider({ turns: [shellCall("d1", "echo hi")] });
    ws = makeWorkspace(`
${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${SHELL_TOOL_TOML}
[agents.ops]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`);
    mkdirSync(ws.stateDir, { recursive: true });
    writeFileSync(join(ws.stateDir, "runs"), "not a directory");
    const run = await runBinary(
      ["run", "-c", ws.configPath, "--approve", "defer", "--output", "ndjson", "go"],
      {
        cwd: ws.dir,
        env: { AGENTRY_STATE_DIR: ws.stateDir },
        timeoutMs: 30_000,
      },
    );
    expect(run.code).toBe(1);
    const events = parseNdjson(run.stdout);
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "awaiting_approval" });
    const runId = String(events[0]?.run_id);
    const summary = JSON.parse(readFileSync(join(ws.stateDir, "records", `${runId}.json`), "utf8"));
    expect(summary).toMatchObject({ run_id: runId, status: "awaiting_approval" });
    expect(summary).not.toHaveProperty("pid");
  });

  test("runs show --follow draws a run that is still going and returns when it ends", async () => {
    mock = await startMockProvider({
      turns: [{ text: "slow answer" }],
      faults: () => ({ latencyMs: 3000 }),
    });
    ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/m"
${mockProviderToml(mock.baseUrls.openai)}
[agents.a]
`);
    const workspace = ws;
    const env = { AGENTRY_STATE_DIR: workspace.stateDir };
    const running = runBinary(["run", "-c", workspace.configPath, "--output", "json", "take your time"], {
      cwd: workspace.dir,
      env,
      timeoutMs: 60_000,
    });
    let runId: string | undefined;
    for (let i = 0; i < 200 && runId === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const listed = await runBinary(
        ["runs", "list", "--json", "--status", "running", "-c", workspace.configPath],
        {
          cwd: workspace.dir,
          env,
        },
      );
      runId = (JSON.parse(listed.stdout || "[]") as { run_id: string }[])[0]?.run_id;
    }
    expect(runId).toBeDefined();
    const followed = await runBinary(
      ["runs", "show", runId as string, "--follow", "-c", workspace.configPath],
      {
        cwd: workspace.dir,
        env,
        timeoutMs: 60_000,
      },
    );
    const finished = await running;
    expect(finished.code).toBe(0);
    expect(followed.code).toBe(0);
    expect(followed.stderr).toContain(`following run ${runId} until it ends`);
    expect(followed.stdout.split("\n")[0]).toBe(`run ${runId} · agent a · ok (answer) · exit 0`);
    expect(followed.stdout).toContain("└─ model turn 1");
  }, 90_000);
});
