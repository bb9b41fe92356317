import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type MockProvider, type MockTurn, startMockProvider } from "../../../src/testing/index.ts";
import { BINARY, runBinary } from "../../support/binary.ts";
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

  test("`batch -` with a concurrency that makes the process restart itself still runs every job from stdin", async () => {
    await setup(() => ({ text: "done" }), "\n[agents.a]\n");
    const jobs = ["j1", "j2", "j3"].map((id) => JSON.stringify({ id, prompt: id })).join("\n");
    const result = await agentry(["batch", "-c", ws?.configPath as string, "--concurrency", "300", "-"], {
      stdin: `${jobs}\n`,
    });
    expect(result.stderr).not.toContain("holds no jobs");
    expect(result.code).toBe(0);
    expect(
      parseNdjson(result.stdout)
        .map((l) => l.id)
        .sort(),
    ).toEqual(["j1", "j2", "j3"]);
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

  test("item 7: refusals are tool errors (exit 0), counted in run_end.refused_calls; --fail-on-refusal exits 3", async () => {
    const script = (body: unknown): MockTurn => {
      const messages = (body as { messages: { role: string; content: string }[] }).messages;
      const helper = messages[0]?.content.includes("You help.");
      const results = messages.filter((m) => m.role === "tool").length;
      if (helper)
        return results === 0 ? call("h1", "sh", { command: "rm -rf data" }) : { text: "helper gave up" };
      if (results === 0) return call("p1", "sh", { command: "echo needs approval" });
      if (results === 1) return call("p2", "agent_helper", { task: "clean up" });
      return { text: "answered anyway" };
    };
    await setup(
      script,
      `
[tools.sh]
kind = "shell"
deny = ["rm *"]
env = ["PATH"]

[agents.a]
instructions = "You lead."
tools = ["sh", "agent:helper"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }

[agents.helper]
instructions = "You help."
tools = ["sh"]
mode = "auto"
`,
    );
    const plain = await agentry(["run", "-c", ws?.configPath as string, "--output", "json", "go"]);
    expect(plain.code).toBe(0);
    const end = JSON.parse(plain.stdout) as Record<string, unknown>;
    expect(end["status"]).toBe("ok");
    expect(end["answer"]).toBe("answered anyway");
    expect(end["refused_calls"]).toBe(2);
    const runEnd = auditRecords().find((r) => r["type"] === "run_end" && r["run_id"] === end["run_id"]);
    expect(runEnd?.["refused_calls"]).toBe(2);
    const refused = auditRecords().filter((r) => r["type"] === "tool_call" && r["decision"] === "refused");
    expect(refused.map((r) => r["refused_by"]).sort()).toEqual(["approval", "tool_policy"]);

    const strict = await agentry(["run", "-c", ws?.configPath as string, "--fail-on-refusal", "go"]);
    expect(strict.code).toBe(3);
    expect(strict.stdout).toBe("answered anyway\n");
    expect(strict.stderr).toContain("--fail-on-refusal: 2 tool call(s) were refused");

    const batch = await agentry(["batch", "-c", ws?.configPath as string, "--fail-on-refusal", "-"], {
      stdin: `${JSON.stringify({ id: "b1", prompt: "go" })}\n`,
    });
    expect(batch.code).toBe(3);
    expect(parseNdjson(batch.stdout)[0]?.refused_calls).toBe(2);
  });

  test("item 5: with --output-schema, only the final valid answer reaches stdout", async () => {
    await setup(
      [{ text: "Answer: none" }, { text: '{"verdict": 3}' }, { text: '{"verdict": "pass"}' }],
      `
[agents.a]
instructions = "Answer in JSON."
`,
    );
    ws?.write(
      "schema.json",
      JSON.stringify({ type: "object", properties: { verdict: { type: "string" } }, required: ["verdict"] }),
    );
    const result = await agentry([
      "run",
      "-c",
      ws?.configPath as string,
      "--output-schema",
      "schema.json",
      "go",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"verdict": "pass"}\n');
    expect(mock?.requests).toHaveLength(3);
  });

  test("item 15: --ephemeral with --approve defer is refused before anything runs (exit 2)", async () => {
    await setup(
      [{ text: "never asked" }],
      `
[agents.a]
instructions = "Answer."
`,
    );
    const result = await agentry([
      "run",
      "-c",
      ws?.configPath as string,
      "--ephemeral",
      "--approve",
      "defer",
      "go",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--ephemeral cannot be combined with --approve defer");
    expect(mock?.requests).toHaveLength(0);
  });

  test("item 15: resuming an interrupted run is exit 2 saying that interrupted runs cannot be resumed, and why", async () => {
    const marker = `sleep 41.${process.pid}`;
    await setup(
      [call("s1", "sh", { command: marker }), { text: "unreachable" }],
      `
[tools.sh]
kind = "shell"
env = ["PATH"]

[agents.a]
tools = ["sh"]
mode = "auto"
`,
    );
    const child = spawn(BINARY, ["run", "-c", ws?.configPath as string, "--output", "ndjson", "go"], {
      cwd: ws?.dir as string,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? "",
        AGENTRY_STATE_DIR: ws?.stateDir as string,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    const started = new Promise<void>((resolve) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('"type":"tool_call"')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.end();
    await started;
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const runId = parseNdjson(stdout)[0]?.run_id as string;
    const resumed = await agentry(["resume", "-c", ws?.configPath as string, runId]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(`no deferred run "${runId}"`);
    expect(resumed.stderr).toContain("An interrupted run (Ctrl-C, SIGTERM, a closed stdout) cannot");
    expect(resumed.stderr).toContain("killed part-way");
  });
});
