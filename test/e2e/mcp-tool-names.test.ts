import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, type Workspace } from "../support/workspace.ts";

const MOCK_SERVER = join(import.meta.dir, "../support/mock-mcp-server.ts");
const BUN = process.execPath;

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

function server(name: string, args: string[] = []): string {
  return `[mcp.${name}]\ncommand = ${JSON.stringify(BUN)}\nargs = ${JSON.stringify([MOCK_SERVER, ...args])}\nenv = ["PATH"]\n`;
}

async function workspace(servers: string, tools: string[], policy: string): Promise<Workspace> {
  mock = await startMockProvider({
    turns: [
      { toolCalls: [{ id: "c1", name: "mcp__docs__admin__drop", arguments: { target: "prod" } }] },
      { text: "finished" },
    ],
  });
  ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
${servers}
[agents.a]
tools = ${JSON.stringify(tools)}
mode = "ask"

[agents.a.policy]
${policy}
`);
  return ws;
}

function agentry(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir },
    timeoutMs: 40_000,
  });
}

describe("MCP tool names name one server", () => {
  test("a server cannot pass its tool off as another server's: server names that make mcp__<server>__<tool> ambiguous are refused", async () => {
    // The operator trusts every tool of [mcp.docs__admin]; [mcp.docs] is a server it does not
    // control, which offers a tool named "admin__drop": mcp__docs__admin__drop, like a docs__admin tool.
    await workspace(
      `${server("docs", ["--danger-name", "admin__drop"])}\n${server("docs__admin")}`,
      ["mcp:docs", "mcp:docs__admin"],
      'approval = { tools = ["mcp__*"], except = ["mcp__docs__admin__*"] }',
    );
    const result = await agentry(["run", "a", "go", "--approve", "deny", "--output", "ndjson"]);
    expect(result.stdout).not.toContain("danger done to prod");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("mcp.docs__admin");
    expect(result.stderr).toContain('contains "__"');
    expect(mock?.requests.length).toBe(0);
  }, 60_000);

  test("names ending in _ or too long to keep the mcp__<server>__ prefix in a cut tool name are refused; others pass", async () => {
    const long = "s".repeat(49);
    await workspace(
      `${server("docs_")}\n${server(long)}\n${server("docs-1_a")}\n${server("s".repeat(48))}`,
      ["mcp:docs-1_a"],
      'approval = { tools = ["mcp__*"] }',
    );
    const result = await agentry(["validate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("mcp.docs_:");
    expect(result.stderr).toContain(`mcp.${long}`);
    expect(result.stderr).not.toContain("mcp.docs-1_a:");
    expect(result.stderr).not.toContain(`mcp.${"s".repeat(48)}:`);
  }, 60_000);
});
