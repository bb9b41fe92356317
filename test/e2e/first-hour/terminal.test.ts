import { afterEach, describe, expect, test } from "bun:test";
import { type MockProvider, startMockProvider } from "../../../src/testing/index.ts";
import { runInTerminal } from "../../support/terminal.ts";
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
});
