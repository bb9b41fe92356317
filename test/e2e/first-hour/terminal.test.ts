import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../../src/testing/index.ts";
import { BINARY, runBinary } from "../../support/binary.ts";
import { runInTerminal, startInTerminal } from "../../support/terminal.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

/** Removes colour and cursor escape sequences, so assertions read what the user sees. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

function config(baseUrl: string, mode = "auto", policy = ""): string {
  return `
[defaults]
agent = "tty"
model = "mock/gpt-4.1-mini"

${mockProviderToml(baseUrl)}
[tools.sh]
kind = "shell"
allow = ["echo *", "sleep *"]
env = ["PATH"]

[agents.tty]
tools = ["sh"]
mode = "${mode}"
${policy}
`;
}

describe("issue 12 on a real terminal", () => {
  test("what a model wrote cannot drive the terminal: escape sequences are spelled out on screen, kept for a pipe", async () => {
    const turns = [
      { toolCalls: [{ id: "c1", name: "sh", arguments: '{"command": "echo \u001b]0;pwned\u0007" "x": }' }] },
      { toolCalls: [{ id: "c2", name: "nosuch\u001b[2J", arguments: { a: 1 } }] },
      { text: "safe \u001b]52;c;aGk=\u0007 answer" },
    ];
    mock = await startMockProvider({
      turns: (_request, index) => turns[index % turns.length] ?? { text: "" },
    });
    ws = makeWorkspace(config(mock.baseUrls.openai));
    const env = { AGENTRY_STATE_DIR: ws.stateDir, TERM: "dumb" };
    const onScreen = await runInTerminal(["run", "-c", ws.configPath, "go"], { cwd: ws.dir, env });
    expect(onScreen.code).toBe(0);
    expect(onScreen.stdout).not.toContain("\x1b");
    expect(onScreen.stdout).not.toContain("\x07");
    expect(onScreen.stdout).toContain("echo \\u{1b}]0;pwned\\u{7}");
    expect(onScreen.stdout).toContain("nosuch\\u{1b}[2J");
    expect(onScreen.stdout).toContain("safe \\u{1b}]52;c;aGk=\\u{7} answer");
    const piped = await runBinary(["run", "-c", ws.configPath, "go"], { cwd: ws.dir, env });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe("safe \u001b]52;c;aGk=\u0007 answer\n");
    expect(piped.stderr).not.toContain("\x1b");
  });

  test("item 1: with colours and a spinner, the tool's arguments are still shown before it runs", async () => {
    mock = await startMockProvider({
      turns: [
        { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo hello-from-tool" } }] },
        { text: "done" },
      ],
    });
    ws = makeWorkspace(config(mock.baseUrls.openai));
    const result = await runInTerminal(["run", "-c", ws.configPath, "go"], {
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir, NO_COLOR: undefined, TERM: "xterm-256color" },
    });
    expect(result.code).toBe(0);
    const shown = plain(result.stdout);
    expect(shown).toContain('→ sh {"command":"echo hello-from-tool"}');
    expect(result.stdout).toContain("\x1b[");
    expect(shown).toContain("done");
  });

  test("item 6: --approve ask with the prompt piped on stdin asks on the terminal (/dev/tty)", async () => {
    mock = await startMockProvider({
      turns: [
        { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo approved-on-tty" } }] },
        { text: "done" },
      ],
    });
    ws = makeWorkspace(config(mock.baseUrls.openai, "ask", 'policy = { approval = { tools = ["sh"] } }'));
    const result = await runInTerminal(
      ["run", "-c", ws.configPath, "--approve", "ask", "--output", "ndjson"],
      {
        cwd: ws.dir,
        env: { AGENTRY_STATE_DIR: ws.stateDir, TERM: "dumb" },
        stdinFrom: "printf 'the piped prompt'",
        stdin: "y\n",
      },
    );
    expect(result.code).toBe(0);
    const shown = plain(result.stdout);
    expect(shown).toContain("approval needed");
    const results = shown
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(results.find((e) => e["type"] === "run_start")?.["prompt"]).toBe("the piped prompt");
    expect(results.find((e) => e["type"] === "tool_result")?.["ok"]).toBe(true);
  });

  test("item 6: --approve ask without any terminal is exit 2 saying why, before the model is asked", async () => {
    mock = await startMockProvider({ turns: [{ text: "never" }] });
    ws = makeWorkspace(config(mock.baseUrls.openai, "ask", 'policy = { approval = { tools = ["sh"] } }'));
    const result = await runBinary([BINARY, "run", "-c", ws.configPath, "--approve", "ask", "go"], {
      binary: "setsid",
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--approve ask needs a terminal to ask on");
    expect(mock.requests).toHaveLength(0);
  });

  test("item 13: Ctrl-C at an approval prompt is recorded as an interruption, not a user's denial", async () => {
    mock = await startMockProvider({
      turns: [
        { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo never" } }] },
        { text: "done" },
      ],
    });
    ws = makeWorkspace(
      `${config(mock.baseUrls.openai, "ask", 'policy = { approval = { tools = ["sh"] } }')}\n[audit]\npath = "audit.jsonl"\n`,
    );
    const session = startInTerminal(["run", "-c", ws.configPath, "--approve", "ask", "go"], {
      cwd: ws.dir,
      env: { AGENTRY_STATE_DIR: ws.stateDir, TERM: "dumb" },
    });
    await session.waitFor(/\[y\]es \/ \[n\]o/);
    session.type("\x03");
    expect(await session.exited).toBe(130);
    const records = readFileSync(join(ws.dir, "audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const approval = records.find((r) => r["type"] === "approval");
    expect(approval?.["by"]).toBe("interrupt");
    expect(approval?.["reason"]).toBe("no decision: the run was interrupted while the question was open");
    expect(JSON.stringify(records)).not.toContain("input closed");
    expect(records.find((r) => r["type"] === "run_end")?.["status"]).toBe("interrupted");
  });
});
