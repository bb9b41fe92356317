import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { cgroupTracker } from "../../src/tools/shell/cgroup-tracker.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { eventually, processesWithArgv } from "../support/processes.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
const leftovers: number[] = [];

afterEach(async () => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone, as it should be */
    }
  }
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

/** The cgroup v2 directory agentry creates its per-call groups in, when it can. */
const cgroupBase = (() => {
  const tracker = cgroupTracker();
  const procs = tracker?.wrap("true", []).args[2];
  tracker?.dispose();
  return procs === undefined ? undefined : dirname(dirname(procs));
})();
const cgroups = cgroupBase !== undefined;

/** Per-call groups an agentry process left behind. */
const groupsOf = (pid: number | undefined) =>
  cgroupBase === undefined
    ? []
    : readdirSync(cgroupBase).filter((name) => name.startsWith(`agentry-${pid}-`));

async function workspace(command: string, timeout = "60s") {
  mock = await startMockProvider({
    turns: [{ toolCalls: [{ id: "t1", name: "sh", arguments: { command } }] }, { text: "done" }],
  });
  ws = makeWorkspace(`
[defaults]
agent = "tree"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]
timeout = "${timeout}"

[agents.tree]
tools = ["sh"]
mode = "auto"
`);
  return ws;
}

/** A `sleep` argument no other test uses, so the process can be found by its exact argv. */
const marker = (n: number) => `${300 + n}.${process.pid}`;

/** Runs the workspace's agent to its end; returns the tool result and whether `sleep MARKER` survived. */
async function runToEnd(dir: Workspace, sleep: string) {
  const result = await runBinary(["run", "-c", dir.configPath, "--output", "ndjson", "go"], {
    cwd: dir.dir,
    env: { AGENTRY_STATE_DIR: dir.stateDir },
  });
  const survivors = processesWithArgv(["sleep", sleep]);
  leftovers.push(...survivors);
  expect(result.code).toBe(0);
  const toolResult = parseNdjson(result.stdout).find((event) => event.type === "tool_result");
  return { toolResult, survivors };
}

describe("the whole process tree dies with a tool call (issue 11 item 16)", () => {
  test("a child that left the process group (setsid) is killed on timeout", async () => {
    const sleep = marker(1);
    const dir = await workspace(`setsid sleep ${sleep} & sleep ${marker(2)}`, "1s");
    const { toolResult, survivors } = await runToEnd(dir, sleep);
    expect(String(toolResult?.error)).toContain("timed out");
    expect(survivors).toEqual([]);
  });

  test("a child that ignores SIGTERM does not survive a double Ctrl-C", async () => {
    const sleep = marker(3);
    const dir = await workspace(`setsid sh -c "trap '' TERM INT HUP; sleep ${sleep}" & wait`);
    const child = spawn(BINARY, ["run", "-c", dir.configPath, "go"], {
      cwd: dir.dir,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? "",
        NO_COLOR: "1",
        AGENTRY_STATE_DIR: dir.stateDir,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    expect(await eventually(() => processesWithArgv(["sleep", sleep]).length === 1)).toBe(true);
    leftovers.push(...processesWithArgv(["sleep", sleep]));
    child.kill("SIGINT");
    expect(await eventually(() => stderr.includes("Ctrl-C again"))).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(await eventually(() => processesWithArgv(["sleep", sleep]).length === 0)).toBe(true);
    expect(groupsOf(child.pid)).toEqual([]);
  });

  test.skipIf(!cgroups)("with a cgroup, a daemon orphaned at once is killed when the call ends", async () => {
    const sleep = marker(4);
    const dir = await workspace(`(setsid sleep ${sleep} > /dev/null 2>&1 &); echo started`);
    const { toolResult, survivors } = await runToEnd(dir, sleep);
    expect(String(toolResult?.output)).toContain("started");
    expect(survivors).toEqual([]);
  });

  test.skipIf(!cgroups)(
    "groups left by an agentry process that is gone are removed by the next call; a running process's stay",
    async () => {
      const base = cgroupBase as string;
      const gone = spawn("true");
      await new Promise((resolve) => gone.on("exit", resolve));
      const stale = join(base, `agentry-${gone.pid}-0badc0de`);
      const live = join(base, `agentry-${process.pid}-0badc0de`);
      mkdirSync(stale);
      mkdirSync(live);
      try {
        const dir = await workspace("echo hi");
        const { toolResult } = await runToEnd(dir, marker(5));
        expect(toolResult).toMatchObject({ ok: true });
        expect(existsSync(stale)).toBe(false);
        expect(existsSync(live)).toBe(true);
      } finally {
        if (existsSync(stale)) rmdirSync(stale);
        rmdirSync(live);
      }
    },
  );
});
