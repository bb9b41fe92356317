import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

const KEY = "sk-test-e2e-0123456789abcdefghij";

let web: Server;
let webUrl: string;
let mock: MockProvider | undefined;
let ws: Workspace | undefined;

beforeAll(async () => {
  web = createServer((req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end(`status page: all green (${req.url})`);
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
afterAll(() => web.close());
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  ws?.remove();
  ws = undefined;
});

function config(baseUrl: string, extra = ""): string {
  return `
[defaults]
agent = "ops"
model = "mock/gpt-4.1-mini"
max_turns = 6

${mockProviderToml(baseUrl, { apiKeyVar: "MOCK_KEY" })}
[tools.sh]
kind = "shell"
allow = ["echo *", "ls *", "cat *", "sleep *"]
deny = ["rm *"]
env = ["PATH"]

[tools.web]
kind = "http"
allow_private = ["127.0.0.1"]

[tools.files]
kind = "file"
root = "."
write = true

[agents.ops]
instructions = "You are a test agent."
tools = ["sh", "web", "files"]
mode = "auto"
${extra}`;
}

async function setup(turns: MockTurn[], extra = "") {
  mock = await startMockProvider({ turns, apiKey: KEY });
  ws = makeWorkspace(config(mock.baseUrls.openai, extra));
  ws.write("notes.txt", "alpha\nbeta\n");
  return { mock, ws };
}

function run(args: string[], env: Record<string, string | undefined> = {}) {
  if (!ws) throw new Error("no workspace");
  return runBinary(["run", "-c", ws.configPath, ...args], {
    cwd: ws.dir,
    env: { MOCK_KEY: KEY, AGENTRY_STATE_DIR: ws.stateDir, ...env },
  });
}

/** The tool messages the model was sent in request `index`. */
function toolMessages(index: number): { tool_call_id: string; content: string }[] {
  const body = mock?.requests[index]?.body as {
    messages: { role: string; tool_call_id: string; content: string }[];
  };
  return body.messages.filter((m) => m.role === "tool");
}

describe("agentry run (compiled) against the mock provider", () => {
  test("multi-turn run with shell, http and file calls; stdout holds only the answer", async () => {
    await setup(
      [
        { toolCalls: [{ id: "c1", name: "sh", arguments: { command: "echo hello from shell" } }] },
        { toolCalls: [{ id: "c2", name: "web", arguments: { url: "WEB/health" } }] },
        { toolCalls: [{ id: "c3", name: "files", arguments: { op: "read", path: "notes.txt" } }] },
        { text: "All three tools worked." },
      ].map((turn) => JSON.parse(JSON.stringify(turn).replace("WEB", webUrl)) as MockTurn),
    );
    const result = await run(["ops", "check everything"]);
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("All three tools worked.\n");
    expect(toolMessages(1)[0]?.content).toContain("hello from shell");
    expect(toolMessages(2)[1]?.content).toContain("status page: all green (/health)");
    expect(toolMessages(3)[2]?.content).toContain("beta");
    expect(result.stderr).toContain("✓ sh");
    expect(result.stderr).toContain("turns");
  });

  test("parallel tool calls in one turn all run and are all answered", async () => {
    await setup([
      {
        toolCalls: [
          { id: "p1", name: "sh", arguments: { command: "echo one" } },
          { id: "p2", name: "sh", arguments: { command: "echo two" } },
          { id: "p3", name: "files", arguments: { op: "list", path: "." } },
        ],
      },
      { text: "done" },
    ]);
    const result = await run(["--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const tools = toolMessages(1);
    expect(tools.map((m) => m.tool_call_id).sort()).toEqual(["p1", "p2", "p3"]);
    expect(tools.find((m) => m.tool_call_id === "p2")?.content).toContain("two");
  });

  test("malformed tool-call JSON is repaired; a shape error is fed back and corrected", async () => {
    await setup([
      { toolCalls: [{ id: "m1", name: "sh", arguments: "{'command': 'echo repaired',}" }] },
      { toolCalls: [{ id: "m2", name: "sh", arguments: { command: 42 } }] },
      { toolCalls: [{ id: "m3", name: "sh", arguments: { command: "echo fixed" } }] },
      { text: "ok" },
    ]);
    const result = await run(["go"]);
    expect(result.code).toBe(0);
    expect(toolMessages(1)[0]?.content).toContain("repaired");
    expect(toolMessages(2)[1]?.content).toContain('argument "command": expected string');
    expect(toolMessages(3)[2]?.content).toContain("fixed");
  });

  test("--output ndjson: every line parses, ids match, run_end is last", async () => {
    await setup([
      { toolCalls: [{ id: "n1", name: "sh", arguments: { command: "echo x" } }] },
      { text: "fin" },
    ]);
    const result = await run(["--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    expect(events[0]?.type).toBe("run_start");
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "ok", answer: "fin", turns: 2 });
    for (const event of events)
      expect(event).toMatchObject({ v: 1, run_id: events[0]?.run_id, agent: "ops" });
    const call = events.find((e) => e.type === "tool_call");
    const done = events.find((e) => e.type === "tool_result");
    expect(done?.id).toBe(call?.id);
  });

  test("--output json prints exactly the run_end object", async () => {
    await setup([{ text: "just this" }]);
    const result = await run(["--output", "json", "go"]);
    expect(result.code).toBe(0);
    const end = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(end).toMatchObject({ type: "run_end", answer: "just this", status: "ok", stop_reason: "answer" });
  });

  test("a budget stop exits 3 with the partial answer", async () => {
    await setup([
      {
        text: "partial work",
        toolCalls: [{ id: "b1", name: "sh", arguments: { command: "echo x" } }],
        usage: { inputTokens: 900, outputTokens: 200 },
      },
      { text: "never reached" },
    ]);
    const result = await run(["--budget-tokens", "1000", "--output", "json", "go"]);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: "stopped",
      stop_reason: "budget",
      answer: "partial work",
    });
    expect(mock?.requests).toHaveLength(1);
  });

  test("max turns exits 1", async () => {
    const call = (id: string): MockTurn => ({
      toolCalls: [{ id, name: "sh", arguments: { command: `echo ${id}` } }],
    });
    await setup([call("t1"), call("t2"), call("t3")]);
    const result = await run(["--max-turns", "2", "--output", "json", "go"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "failed", stop_reason: "max_turns", turns: 2 });
  });

  test("--timeout stops a run whose tool hangs: exit 1, stop reason timeout, tool killed", async () => {
    await setup([
      { toolCalls: [{ id: "h1", name: "sh", arguments: { command: "sleep 30" } }] },
      { text: "never" },
    ]);
    const result = await run(["--timeout", "1s", "--output", "json", "go"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "failed", stop_reason: "timeout" });
  });

  test("a provider that is down exits 4", async () => {
    await setup([]);
    await mock?.close();
    const result = await run(["go"]);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe("");
  });

  test("a rejected key exits 4, names the variable and never prints the key", async () => {
    await setup([{ text: "unreachable" }]);
    const result = await run(["--output", "ndjson", "go"], { MOCK_KEY: "sk-wrong-key-abcdefghijklmnop" });
    expect(result.code).toBe(4);
    expect(result.stdout + result.stderr).toContain("MOCK_KEY");
    expect(result.stdout + result.stderr).not.toContain("sk-wrong-key-abcdefghijklmnop");
  });

  test("an unset environment variable is a configuration error (exit 2)", async () => {
    await setup([{ text: "unreachable" }]);
    const result = await run(["go"], { MOCK_KEY: undefined });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MOCK_KEY");
  });

  test("a denied shell command is refused and the model can still answer (exit 0)", async () => {
    await setup([
      { toolCalls: [{ id: "d1", name: "sh", arguments: { command: "rm -rf notes.txt" } }] },
      { text: "could not delete" },
    ]);
    const result = await run(["go"]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(ws?.dir ?? "", "notes.txt"), "utf8")).toContain("alpha");
    expect(toolMessages(1)[0]?.content).toContain("error");
  });

  test("--session continues a saved conversation", async () => {
    await setup([{ text: "first answer" }, { text: "second answer" }]);
    expect((await run(["--session", "s1", "first question"])).code).toBe(0);
    const second = await run(["--session", "s1", "second question"]);
    expect(second.code).toBe(0);
    const body = mock?.requests[1]?.body as { messages: { role: string; content: string }[] };
    const contents = body.messages.map((m) => m.content);
    expect(contents).toContain("first question");
    expect(contents).toContain("first answer");
    expect(contents.at(-1)).toBe("second question");
  });

  test("the prompt can come from stdin", async () => {
    await setup([{ text: "from stdin" }]);
    if (!ws) throw new Error("no workspace");
    const result = await runBinary(["run", "-c", ws.configPath, "-"], {
      cwd: ws.dir,
      env: { MOCK_KEY: KEY, AGENTRY_STATE_DIR: ws.stateDir },
      stdin: "piped prompt",
    });
    expect(result.code).toBe(0);
    const body = mock?.requests[0]?.body as { messages: { role: string; content: string }[] };
    expect(body.messages.at(-1)?.content).toBe("piped prompt");
  });
});
