import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { BINARY } from "../support/binary.ts";

const MOCK_MCP_SERVER = join(import.meta.dir, "../support/mock-mcp-server.ts");

import { makeWorkspace, mockProviderToml, type Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

interface RequestBody {
  messages: { role: string; content: string }[];
}

async function connect(
  config: string,
  mode: "auto" | "legacy",
  args: string[] = [],
  prepare: (client: Client) => void = () => {},
): Promise<Client> {
  ws = makeWorkspace(config);
  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["mcp", "serve", "-c", ws.configPath, ...args],
    env: { PATH: process.env["PATH"] ?? "", HOME: ws.dir, AGENTRY_STATE_DIR: ws.stateDir, NO_COLOR: "1" },
    cwd: ws.dir,
    stderr: "ignore",
  });
  client = new Client(
    { name: "mcp-serve-test", version: "1.0.0" },
    { versionNegotiation: { mode }, capabilities: { elicitation: { form: {} } } },
  );
  prepare(client);
  await client.connect(transport);
  return client;
}

function config(baseUrl: string): string {
  return `
[defaults]
model = "mock/gpt-4.1-mini"

${mockProviderToml(baseUrl)}
[tools.sh]
kind = "shell"
env = ["PATH"]

[agents.helper]
description = "Answers questions about {{topic}}"
instructions = "You help with {{topic}}."

[agents.guarded]
tools = ["sh"]
mode = "ask"

[agents.guarded.policy]
approval = { tools = ["sh"] }

[flows.pipeline]
kind = "sequence"
steps = ["helper"]
`;
}

describe("agentry mcp serve, driven by the official MCP client", () => {
  for (const mode of ["auto", "legacy"] as const) {
    test(`lists agents and flows as tools; calling an agent returns its answer (${mode === "auto" ? "2026-07-28" : "2025-11-25"})`, async () => {
      mock = await startMockProvider({
        turns: (request) => {
          const body = request.body as RequestBody;
          const system = body.messages.find((message) => message.role === "system")?.content ?? "";
          const user = body.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
          return { text: `answer to "${user}" (${system})` };
        },
      });
      const mcp = await connect(config(mock.baseUrls.openai), mode);
      expect(mcp.getNegotiatedProtocolVersion()).toBe(mode === "auto" ? "2026-07-28" : "2025-11-25");
      const { tools } = await mcp.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(["guarded", "helper", "pipeline"]);
      const helper = tools.find((tool) => tool.name === "helper");
      expect(helper?.description).toContain("Answers questions");
      expect(Object.keys((helper?.inputSchema.properties ?? {}) as object).sort()).toEqual([
        "prompt",
        "topic",
      ]);
      expect(helper?.inputSchema.required).toEqual(["prompt"]);
      const result = await mcp.callTool({
        name: "helper",
        arguments: { prompt: "what is 2+2", topic: "maths" },
      });
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([
        { type: "text", text: 'answer to "what is 2+2" (You help with maths.)' },
      ]);
    });
  }

  test("a call needing approval is denied under the default --approve deny, and the served agent sees the denial", async () => {
    mock = await startMockProvider({
      turns: [
        { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo hi" } }] },
        { text: "could not run it" },
      ],
    });
    const mcp = await connect(config(mock.baseUrls.openai), "auto");
    const result = await mcp.callTool({ name: "guarded", arguments: { prompt: "run echo" } });
    expect(result.content).toEqual([{ type: "text", text: "could not run it" }]);
    const second = mock.requests[1]?.body as RequestBody | undefined;
    expect(JSON.stringify(second?.messages)).toContain("denied");
  });

  test("--approve defer: the run stops and the error result names the run id and how to approve", async () => {
    mock = await startMockProvider({
      turns: [{ toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo hi" } }] }],
    });
    const mcp = await connect(config(mock.baseUrls.openai), "auto", ["--approve", "defer"]);
    const result = await mcp.callTool({ name: "guarded", arguments: { prompt: "run echo" } });
    expect(result.isError).toBe(true);
    const text = JSON.stringify(result.content);
    expect(text).toContain("awaiting_approval");
    expect(text).toMatch(/agentry resume \S+/);
    expect(text).toContain("agentry approvals approve");
  });

  test("--approve ask asks the client through elicitation (2025-11-25): its answer approves or denies the call", async () => {
    for (const approve of [true, false]) {
      mock = await startMockProvider({
        turns: (request) => {
          const body = request.body as RequestBody;
          const tool = body.messages.find((message) => message.role === "tool");
          return tool
            ? { text: `tool said: ${tool.content}` }
            : { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo elicited" } }] };
        },
      });
      const asked: string[] = [];
      const mcp = await connect(config(mock.baseUrls.openai), "legacy", ["--approve", "ask"], (c) => {
        c.setRequestHandler("elicitation/create", async (request) => {
          asked.push(String(request.params.message));
          return { action: "accept", content: { approve, reason: approve ? "fine" : "not today" } };
        });
      });
      const result = await mcp.callTool({ name: "guarded", arguments: { prompt: "run echo" } });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain("sh");
      const text = JSON.stringify(result.content);
      if (approve) expect(text).toContain("elicited");
      else expect(text).toContain("not today");
      await client?.close();
      client = undefined;
      await mock.close();
      mock = undefined;
      ws?.remove();
      ws = undefined;
    }
  });

  test("a required MCP server that failed to start is started again by a later call", async () => {
    mock = await startMockProvider({
      turns: (request) => {
        const tools = (request.body as { tools?: { function: { name: string } }[] }).tools ?? [];
        return { text: `tools: ${tools.map((tool) => tool.function.name).join(" ")}` };
      },
    });
    const mcp = await connect(
      `${config(mock.baseUrls.openai)}
[mcp.srv]
command = "/bin/sh"
args = ["-c", 'test -e broken && { echo broken >&2; exit 3; }; exec "$0" "$@"', ${JSON.stringify(process.execPath)}, ${JSON.stringify(MOCK_MCP_SERVER)}]
required = true

[agents.mcpuser]
tools = ["mcp:srv"]
mode = "auto"
`,
      "auto",
      [],
      () => ws?.write("broken", ""),
    );
    const failed = await mcp.callTool({ name: "mcpuser", arguments: { prompt: "go" } });
    expect(failed.isError).toBe(true);
    expect(JSON.stringify(failed.content)).toContain('required MCP server \\"srv\\" is unavailable');
    rmSync(join(ws?.dir ?? "", "broken"));
    const retried = await mcp.callTool({ name: "mcpuser", arguments: { prompt: "go" } });
    expect(retried.isError).toBeFalsy();
    expect(JSON.stringify(retried.content)).toContain("mcp__srv__echo");
  });
});
