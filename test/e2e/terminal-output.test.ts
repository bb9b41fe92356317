import { afterEach, describe, expect, test } from "bun:test";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { runInTerminal } from "../support/terminal.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../support/workspace.ts";

/** Issue 15, terminal: spinner while the model thinks, run id in the summary, one line per denial. */

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

/** Removes colour and cursor escape sequences, so assertions read what the user sees. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "\n");

async function setup(turns: MockTurn[], latencyMs?: number) {
  mock = await startMockProvider({ turns, ...(latencyMs ? { latencyMs } : {}) });
  ws = makeWorkspace(`
[defaults]
agent = "term"
model = "mock/m"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"
env = ["PATH"]

[agents.term]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`);
  return { mock, ws };
}

const deniedTurns: MockTurn[] = [
  { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo never-runs" } }] },
  { text: "fine" },
];

describe("text-mode summary and refusals", () => {
  test("the summary line carries the run id, and a denied call is one line with its arguments", async () => {
    await setup(deniedTurns);
    const result = await runBinary(
      ["run", "-c", ws?.configPath as string, "--approve", "deny", "term", "go"],
      {
        cwd: ws?.dir as string,
        env: { AGENTRY_STATE_DIR: ws?.stateDir as string },
      },
    );
    expect(result.code).toBe(0);
    const runId = /— ok · .* · run (r[0-9T]+-[0-9a-f]+)\n$/.exec(result.stderr)?.[1];
    expect(runId).toBeDefined();
    const json = await runBinary(["runs", "list", "--json"], {
      cwd: ws?.dir as string,
      env: { AGENTRY_STATE_DIR: ws?.stateDir as string },
    });
    expect(JSON.parse(json.stdout)[0]?.run_id).toBe(runId);
    const aboutTheCall = result.stderr
      .split("\n")
      .filter((line) => line.includes("sh") && !line.startsWith("—"));
    expect(aboutTheCall).toHaveLength(1);
    expect(aboutTheCall[0]).toContain('✗ sh {"command":"echo never-runs"}');
    expect(aboutTheCall[0]).toContain("[approval]");
  });
});

describe("spinner while waiting (TTY only)", () => {
  test("on a terminal a spinner shows what the run waits for and the elapsed time", async () => {
    await setup([{ text: "thought about it" }], 1200);
    const result = await runInTerminal(["run", "-c", ws?.configPath as string, "term", "think"], {
      cwd: ws?.dir as string,
      env: { AGENTRY_STATE_DIR: ws?.stateDir as string, NO_COLOR: undefined, TERM: "xterm-256color" },
    });
    expect(result.code).toBe(0);
    const shown = plain(result.stdout);
    expect(shown).toMatch(/waiting for mock\/m \d+(ms|\.\ds)/);
    expect(shown).toContain("thought about it");
  });

  test("no spinner with --json on a terminal, nor without a terminal", async () => {
    await setup([{ text: "a" }, { text: "b" }], 300);
    const json = await runInTerminal(["run", "-c", ws?.configPath as string, "--json", "term", "think"], {
      cwd: ws?.dir as string,
      env: { AGENTRY_STATE_DIR: ws?.stateDir as string, NO_COLOR: undefined, TERM: "xterm-256color" },
    });
    expect(json.code).toBe(0);
    expect(plain(json.stdout)).not.toContain("waiting for");
    const piped = await runBinary(["run", "-c", ws?.configPath as string, "term", "think"], {
      cwd: ws?.dir as string,
      env: { AGENTRY_STATE_DIR: ws?.stateDir as string, NO_COLOR: undefined, TERM: "xterm-256color" },
    });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain("waiting for");
  });
});
