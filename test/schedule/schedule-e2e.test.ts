import { afterEach, describe, expect, test } from "bun:test";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, type MockRequest, startMockProvider } from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let child: ChildProcessWithoutNullStreams | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

/** The mock answers each prompt by echoing it through the shell tool, then with the tool output. */
function echoModel(request: MockRequest) {
  const body = request.body as { messages: { role: string; content: unknown }[] };
  const tool = body.messages.findLast((m) => m.role === "tool");
  if (tool) return { text: `done: ${/echoed (\w+)/.exec(String(tool.content))?.[1] ?? "?"}` };
  const prompt = String(body.messages.findLast((m) => m.role === "user")?.content ?? "");
  return { toolCalls: [{ name: "sh", arguments: { command: `echo echoed ${prompt.split(" ").at(-1)}` } }] };
}

function config(baseUrl: string, schedules: string): string {
  return `
[defaults]
model = "mock/gpt-4.1-mini"

${mockProviderToml(baseUrl)}
[tools.sh]
kind = "shell"
allow = ["echo *", "sleep *"]
env = ["PATH"]

[audit]
path = "audit.jsonl"

[agents.ops]
instructions = "Scheduled checks for {{env}}."
tools = ["sh"]
mode = "auto"
${schedules}`;
}

const TWO_SCHEDULES = `
[schedules.alpha]
cron = "0 3 * * *"
timezone = "Europe/Berlin"
agent = "ops"
prompt = "report alpha"
vars = { env = "prod" }

[schedules.beta]
cron = "30 4 * * 1-5"
agent = "ops"
prompt = "report beta"
vars = { env = "staging" }
`;

function env(): Record<string, string> {
  if (!ws) throw new Error("no workspace");
  return { AGENTRY_STATE_DIR: ws.stateDir };
}

/** Spawns `agentry schedule …` and resolves `waitFor` once its stdout or stderr matches. */
function startSchedule(args: string[]) {
  if (!ws) throw new Error("no workspace");
  const proc = spawn(BINARY, ["schedule", "-c", ws.configPath, ...args], {
    cwd: ws.dir,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", NO_COLOR: "1", ...env() },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child = proc;
  const out = { stdout: "", stderr: "" };
  const watchers: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const watcher of [...watchers]) {
      if (watcher.test()) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out.stdout += chunk;
    check();
  });
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out.stderr += chunk;
    check();
  });
  const exited = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  const guard = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  void exited.then(() => clearTimeout(guard));
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const test = () => pattern.test(out.stdout) || pattern.test(out.stderr);
      if (test()) return resolve();
      watchers.push({ test, resolve });
      void exited.then(() =>
        test() ? resolve() : reject(new Error(`exited before ${pattern}:\n${out.stderr}`)),
      );
    });
  return { proc, out, exited, waitFor };
}

describe("agentry schedule (compiled binary)", () => {
  test("--once runs every schedule through the runtime: one JSON line each, audited", async () => {
    mock = await startMockProvider({ turns: echoModel });
    ws = makeWorkspace(config(mock.baseUrls.openai, TWO_SCHEDULES));
    const result = await runBinary(["schedule", "-c", ws.configPath, "--once"], { cwd: ws.dir, env: env() });
    expect(result.stderr).toContain("alpha: running ops now (--once)");
    expect(result.code).toBe(0);
    const lines = parseNdjson(result.stdout).sort((a, b) =>
      String(a["schedule"]).localeCompare(String(b["schedule"])),
    );
    expect(lines).toEqual([
      expect.objectContaining({
        schedule: "alpha",
        status: "ok",
        stop_reason: "answer",
        answer: "done: alpha",
        trigger: "once",
      }),
      expect.objectContaining({
        schedule: "beta",
        status: "ok",
        stop_reason: "answer",
        answer: "done: beta",
        trigger: "once",
      }),
    ]);
    const systems = mock.requests.map((r) => JSON.stringify(r.body));
    expect(systems.some((s) => s.includes("Scheduled checks for prod."))).toBe(true);
    expect(systems.some((s) => s.includes("Scheduled checks for staging."))).toBe(true);
    const audit = parseNdjson(readFileSync(join(ws.dir, "audit.jsonl"), "utf8"));
    for (const line of lines) {
      const records = audit.filter((r) => r["run_id"] === line["run_id"]).map((r) => r["type"]);
      expect(records[0]).toBe("run_start");
      expect(records.at(-1)).toBe("run_end");
    }
    const verify = await runBinary(["audit", "verify", join(ws.dir, "audit.jsonl")], { cwd: ws.dir });
    expect(verify.code).toBe(0);
  });

  test("--only narrows the schedules; an unknown name is a usage error with a suggestion", async () => {
    mock = await startMockProvider({ turns: echoModel });
    ws = makeWorkspace(config(mock.baseUrls.openai, TWO_SCHEDULES));
    const only = await runBinary(["schedule", "-c", ws.configPath, "--once", "--only", "beta"], {
      cwd: ws.dir,
      env: env(),
    });
    expect(only.code).toBe(0);
    expect(parseNdjson(only.stdout).map((l) => l["schedule"])).toEqual(["beta"]);
    const wrong = await runBinary(["schedule", "-c", ws.configPath, "--once", "--only", "alpah"], {
      cwd: ws.dir,
      env: env(),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown schedule "alpah" (did you mean "alpha"?)');
    expect(wrong.stdout).toBe("");
  });

  test("a config without schedules is a usage error", async () => {
    mock = await startMockProvider({ turns: echoModel });
    ws = makeWorkspace(config(mock.baseUrls.openai, ""));
    const result = await runBinary(["schedule", "-c", ws.configPath], { cwd: ws.dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("declares no [schedules.*]");
  });

  test("foreground: a run missed while stopped is caught up once (run_once); SIGTERM is a clean stop, exit 0 (issue 12 item 10)", async () => {
    mock = await startMockProvider({ turns: echoModel });
    ws = makeWorkspace(
      config(
        mock.baseUrls.openai,
        `
[schedules.nightly]
cron = "0 3 * * *"
timezone = "UTC"
agent = "ops"
prompt = "report nightly"
vars = { env = "prod" }
missed = "run_once"
`,
      ),
    );
    mkdirSync(ws.stateDir, { recursive: true });
    writeFileSync(
      join(ws.stateDir, "schedules.json"),
      JSON.stringify({ version: 1, schedules: { nightly: { checked_until: "2024-01-01T00:00:00.000Z" } } }),
    );
    const run = startSchedule([]);
    await run.waitFor(/"schedule":"nightly"/);
    await run.waitFor(/nightly: next run \d{4}-\d\d-\d\d 03:00:00 UTC/);
    expect(run.out.stderr).toContain("missed run(s) since 2024-01-01 00:00:00 UTC");
    run.proc.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.out.stderr).toContain("SIGTERM: stopping running schedules");
    expect(parseNdjson(run.out.stdout)).toEqual([
      expect.objectContaining({
        schedule: "nightly",
        trigger: "missed",
        status: "ok",
        answer: "done: nightly",
      }),
    ]);
    const state = JSON.parse(readFileSync(join(ws.stateDir, "schedules.json"), "utf8"));
    expect(Date.parse(state.schedules.nightly.checked_until)).toBeGreaterThan(Date.parse("2024-06-01"));
  });

  test("SIGINT aborts a running scheduled run, which reports itself interrupted, and exits 130", async () => {
    mock = await startMockProvider({
      turns: [{ toolCalls: [{ name: "sh", arguments: { command: "sleep 30" } }] }, { text: "unreachable" }],
    });
    ws = makeWorkspace(
      config(
        mock.baseUrls.openai,
        `\n[schedules.slow]\ncron = "0 3 * * *"\nagent = "ops"\nprompt = "wait"\n`,
      ),
    );
    const run = startSchedule(["--once"]);
    await run.waitFor(/slow: running ops now/);
    while (mock.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    run.proc.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(parseNdjson(run.out.stdout)).toEqual([
      expect.objectContaining({ schedule: "slow", status: "interrupted", stop_reason: "interrupted" }),
    ]);
    const audit = parseNdjson(readFileSync(join(ws.dir, "audit.jsonl"), "utf8"));
    expect(audit.at(-1)).toMatchObject({ type: "run_end", status: "interrupted" });
  });
});
