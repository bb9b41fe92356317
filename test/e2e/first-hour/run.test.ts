import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type MockProvider, type MockTurn, startMockProvider } from "../../../src/testing/index.ts";
import { runBinary } from "../../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../../support/workspace.ts";

let web: Server;
let webPort: number;
let mock: MockProvider | undefined;
let ws: Workspace | undefined;

beforeAll(async () => {
  web = createServer((_req, res) => res.end("status: green"));
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webPort = (web.address() as AddressInfo).port;
});
afterAll(() => web.close());
afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

const call = (id: string, name: string, args: string | Record<string, unknown>): MockTurn => ({
  toolCalls: [{ id, name, arguments: args }],
});

async function setup(turns: MockTurn[] | ((body: unknown, index: number) => MockTurn), body: string) {
  mock = await startMockProvider({
    turns: typeof turns === "function" ? (request, index) => turns(request.body, index) : turns,
  });
  ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"
max_turns = 6

${mockProviderToml(mock.baseUrls.openai)}
${body}
[audit]
path = "audit.jsonl"
`);
  return ws;
}

function agentry(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  if (!ws) throw new Error("no workspace");
  return runBinary(args, {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, ...options.env },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
}

function auditRecords(): Record<string, unknown>[] {
  return readFileSync(join(ws?.dir ?? "", "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("issue 12: what a run shows and records", () => {
  test("item 2: allow_hosts matches host and port; a port-less entry allows only the default port", async () => {
    await setup(
      [
        call("p1", "pinned", { url: `http://127.0.0.1:${webPort}/a` }),
        call("p2", "portless", { url: `http://127.0.0.1:${webPort}/b` }),
        { text: "checked" },
      ],
      `
[tools.pinned]
kind = "http"
allow_hosts = ["127.0.0.1:${webPort}"]
allow_private = ["127.0.0.1"]

[tools.portless]
kind = "http"
allow_hosts = ["127.0.0.1"]
allow_private = ["127.0.0.1"]

[agents.a]
tools = ["pinned", "portless"]
mode = "auto"
`,
    );
    const result = await agentry(["run", "-c", ws?.configPath as string, "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const results = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(results.map((e) => [e.id, e.ok])).toEqual([
      ["p1", true],
      ["p2", false],
    ]);
    expect(results[0]?.output).toContain("status: green");
    expect(results[1]?.error).toContain(`port ${webPort} of 127.0.0.1 is not in allow_hosts`);
  });

  test("item 14: audit show prints each call's arguments and its output without the framing markup", async () => {
    await setup(
      [call("s1", "sh", { command: "echo audited-output" }), { text: "done" }],
      `
[tools.sh]
kind = "shell"
allow = ["echo *"]
env = ["PATH"]

[agents.a]
tools = ["sh"]
mode = "auto"
`,
    );
    expect((await agentry(["run", "-c", ws?.configPath as string, "go"])).code).toBe(0);
    const shown = await agentry(["audit", "show", "-c", ws?.configPath as string, "--tool", "sh"]);
    expect(shown.code).toBe(0);
    const line =
      shown.stdout
        .trim()
        .split("\n")
        .find((l) => l.includes("tool_call")) ?? "";
    expect(line).toContain('{"command":"echo audited-output"}');
    expect(line).toContain("ok  audited-output");
    expect(line).not.toContain("tool_output");
  });

  test("item 16: `batch -` reads the jobs from stdin and every result line carries its run_id", async () => {
    await setup(
      (body) => ({
        text: `answer to ${(body as { messages: { content: string }[] }).messages.at(-1)?.content}`,
      }),
      `
[agents.a]
instructions = "Answer."
`,
    );
    const jobs = `${JSON.stringify({ id: "j1", prompt: "one" })}\n${JSON.stringify({ id: "j2", prompt: "two" })}\n`;
    const result = await agentry(["batch", "-c", ws?.configPath as string, "-"], { stdin: jobs });
    expect(result.code).toBe(0);
    const lines = parseNdjson(result.stdout);
    expect(lines.map((l) => l.id).sort()).toEqual(["j1", "j2"]);
    const started = auditRecords().filter((r) => r["type"] === "run_start");
    for (const line of lines) {
      expect(line.run_id).toBeString();
      const start = started.find((r) => r["run_id"] === line.run_id);
      expect(start?.["prompt"]).toBe(line.id === "j1" ? "one" : "two");
    }
  });

  test("item 18: repaired arguments are written back; unparsable ones reach Anthropic as text, never {}", async () => {
    mock = await startMockProvider({
      turns: [
        {
          toolCalls: [
            { id: "r1", name: "sh", arguments: "{'command': 'echo repaired',}" },
            { id: "r2", name: "sh", arguments: "}{" },
          ],
        },
        { text: "done" },
      ],
    });
    ws = makeWorkspace(`
[defaults]
agent = "a"
model = "claude/claude-sonnet-4-5"

[providers.claude]
kind = "anthropic"
base_url = "${mock.baseUrls.anthropic}"
api_key = "\${CLAUDE_KEY}"
retries = 0

[tools.sh]
kind = "shell"
allow = ["echo *"]
env = ["PATH"]

[agents.a]
tools = ["sh"]
mode = "auto"
`);
    const result = await agentry(["run", "-c", ws.configPath, "go"], { env: { CLAUDE_KEY: "k-test" } });
    expect(result.code).toBe(0);
    const second = mock.requests[1]?.body as {
      messages: { role: string; content: Record<string, unknown>[] }[];
    };
    const uses = second.messages.flatMap((m) => m.content.filter((block) => block["type"] === "tool_use"));
    expect(uses.map((block) => [block["id"], block["input"]])).toEqual([
      ["r1", { command: "echo repaired" }],
      ["r2", { _raw_arguments: "}{" }],
    ]);
  });
});
