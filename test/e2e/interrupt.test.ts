import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { startBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
});

function processAlive(pattern: string): boolean {
  const result = Bun.spawnSync(["pgrep", "-f", pattern]);
  return result.stdout.toString().trim() !== "";
}

/** A workspace whose agent `slow` runs `turns` with one `sh` tool (`shTable` adds to `[tools.sh]`). */
async function slowAgent(turns: MockTurn[], extra: { shTable?: string; agentTable?: string } = {}) {
  mock = await startMockProvider({ turns });
  ws = makeWorkspace(`
[defaults]
agent = "slow"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
env = ["PATH"]
${extra.shTable ?? ""}
[audit]
path = "audit.jsonl"

[agents.slow]
tools = ["sh"]
mode = "auto"
${extra.agentTable ?? ""}`);
  return ws;
}

/** Runs `agentry run ARGS` in `workspace`, sends SIGINT once a process matching `marker` runs. */
async function interruptedRun(workspace: Workspace, args: string[], marker: string) {
  const running = startBinary(["run", "-c", workspace.configPath, ...args], {
    cwd: workspace.dir,
    env: { AGENTRY_STATE_DIR: workspace.stateDir },
  });
  const deadline = Date.now() + 10_000;
  while (!processAlive(marker) && Date.now() < deadline) await Bun.sleep(25);
  expect(processAlive(marker)).toBe(true);
  running.child.kill("SIGINT");
  return running.finished;
}

describe("Ctrl-C during a run", () => {
  test("SIGINT kills running tools, flushes the audit log, saves the session and exits 130", async () => {
    const marker = `sleep 37.${process.pid}`;
    const workspace = await slowAgent([
      { toolCalls: [{ id: "s1", name: "sh", arguments: { command: marker } }] },
      { text: "unreachable" },
    ]);
    const { code, stderr } = await interruptedRun(workspace, ["--session", "int1", "go"], marker);
    expect(code).toBe(130);
    expect(stderr).toContain("SIGINT");
    expect(processAlive(marker)).toBe(false);
    const audit = readFileSync(join(workspace.dir, "audit.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(audit.at(-1) ?? "{}")).toMatchObject({ type: "run_end", status: "interrupted" });
    expect(existsSync(join(workspace.stateDir, "sessions", "int1.json"))).toBe(true);
  });

  test("Ctrl-C is exit 130; the call it kills is stopped by the run, not a failure that trips the failure limits", async () => {
    const marker = `sleep 42.${process.pid}`;
    const workspace = await slowAgent(
      [
        { toolCalls: [{ id: "f1", name: "sh", arguments: { command: "exit 3" } }] },
        { toolCalls: [{ id: "s1", name: "sh", arguments: { command: marker } }] },
        { text: "unreachable" },
      ],
      { agentTable: "[agents.slow.policy]\nfailures = { max_consecutive = 1 }" },
    );
    const { code, stdout } = await interruptedRun(workspace, ["--output", "ndjson", "go"], marker);
    expect(code).toBe(130);
    const events = parseNdjson(stdout);
    const killed = events.find((e) => e.type === "tool_result" && e.id === "s1");
    expect(killed).toMatchObject({
      stopped_by: "run",
      error: expect.stringContaining("cancelled; the command and its children were killed"),
    });
    expect(String(killed?.error)).not.toContain("failure limit exceeded");
    expect(events.at(-1)).toMatchObject({
      type: "run_end",
      status: "interrupted",
      stop_reason: "interrupted",
    });
  });

  test("a call that only gets its turn after Ctrl-C starts no process", async () => {
    const marker = `sleep 41.${process.pid}`;
    // After f1 failed, failure limits let one call of the next turn run at a time: s2 waits for s1,
    // which ignores the interrupt and is abandoned; only then does s2 get its slot.
    const workspace = await slowAgent(
      [
        { toolCalls: [{ id: "f1", name: "sh", arguments: { command: "exit 3" } }] },
        {
          toolCalls: [
            { id: "s1", name: "sh", arguments: { command: `trap '' TERM INT; ${marker}` } },
            { id: "s2", name: "sh", arguments: { command: "echo ran > late.txt" } },
          ],
        },
        { text: "unreachable" },
      ],
      { shTable: "shell = true", agentTable: "[agents.slow.policy]\nfailures = { max_consecutive = 1 }" },
    );
    // Interrupted once the `sleep` itself runs (`^`: not the `sh -c` line, which matches as soon
    // as it is spawned, before its trap is set; a SIGINT then killed s1 instead of leaving it).
    const { code, stdout } = await interruptedRun(workspace, ["--output", "ndjson", "go"], `^${marker}`);
    expect(code).toBe(130);
    expect(processAlive(marker)).toBe(false);
    const results = parseNdjson(stdout).filter((e) => e.type === "tool_result");
    expect(results.find((e) => e.id === "s1")?.error).toStartWith("abandoned: the run stopped (interrupted)");
    expect(results.find((e) => e.id === "s2")?.error).toStartWith(
      "cancelled before it started: nothing was run",
    );
    expect(existsSync(join(workspace.dir, "late.txt"))).toBe(false);
  });
});
