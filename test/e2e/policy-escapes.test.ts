import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { e2eFixture } from "../support/e2e-fixture.ts";
import { lastOf, shellCall, systemOf } from "../support/mock-turns.ts";
import { mockDefaultsToml, parseNdjson, SHELL_TOOL_TOML } from "../support/workspace.ts";

/**
 * Review 9b: a model choosing how to reach a tool (itself, through a `delegate` child) must meet
 * the same policy either way.
 */
const e2e = e2eFixture();

const MOCK_SERVER = join(import.meta.dir, "../support/mock-mcp-server.ts");

function mcpServer(name: string): string {
  return `[mcp.${name}]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ${JSON.stringify([MOCK_SERVER])}\nenv = ["PATH"]\n`;
}

describe("a delegate child meets its parent's MCP server policy", () => {
  test("a server policy's deny rule refuses the child's call as it refuses the parent's", async () => {
    const main = await e2e.mock((request) => {
      const last = lastOf(request);
      if (systemOf(request).startsWith("You are a focused sub-agent")) {
        if (last.role === "user") {
          return { toolCalls: [{ id: "d1", name: "mcp__docs__danger", arguments: { target: "prod" } }] };
        }
        return { text: `child saw: ${last.content}` };
      }
      if (last.role === "user") {
        return { toolCalls: [{ id: "g1", name: "helper", arguments: { goal: "do the dangerous thing" } }] };
      }
      return { text: "parent done" };
    });
    e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "boss")}
${mcpServer("docs")}
[mcp.docs.policy]
approval = { deny = ["mcp__docs__danger"] }

[tools.helper]
kind = "delegate"

[agents.boss]
tools = ["mcp:docs", "helper"]
mode = "auto"
`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"], { timeoutMs: 60_000 });
    const events = parseNdjson(result.stdout);
    const danger = events.find((e) => e.type === "tool_result" && e.name === "mcp__docs__danger");
    expect(danger).toMatchObject({ ok: false, stopped_by: "approval" });
    expect(result.stdout).not.toContain("danger done to prod");
    expect(result.code).toBe(0);
  }, 90_000);
});

/** A local HTTP server noting each request's method, path and method-override header. */
async function target(): Promise<{ port: number; paths: string[]; requests: string[] }> {
  const paths: string[] = [];
  const requests: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? "");
    requests.push(`${request.method} ${request.url} ${request.headers["x-http-method-override"] ?? "-"}`);
    response.end("reached");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  e2e.afterThis(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, paths, requests };
}

/** Agent `probe` with http tool `web` (127.0.0.1 allowed) in `mode`, with `approval` as its policy. */
function webAgent(baseUrl: string, mode: string, approval: string): void {
  e2e.workspace(`${mockDefaultsToml(baseUrl, "probe")}
[tools.web]
kind = "http"
timeout = "5s"
allow_private = ["127.0.0.1"]

[agents.probe]
tools = ["web"]
mode = "${mode}"

[agents.probe.policy]
approval = ${approval}
`);
}

describe("approval patterns on URLs judge the host the request goes to", () => {
  test("user info that reads like an exempt host is no exemption: the call asks (denied without a terminal)", async () => {
    const { port, paths } = await target();
    // Before, the pattern matched the URL text with its user info, `http://127.0.0.1:9@127.0.0.1:PORT/`.
    const main = await e2e.mock([
      {
        toolCalls: [
          { id: "w1", name: "web", arguments: { url: `http://127.0.0.1:9@127.0.0.1:${port}/steal` } },
        ],
      },
      { text: "done" },
    ]);
    webAgent(main.baseUrls.openai, "ask", '{ tools = ["web"], except = ["web:GET http://127.0.0.1:9*"] }');
    const result = await e2e.agentry(["run", "--approve", "deny", "--output", "ndjson", "go"]);
    const call = parseNdjson(result.stdout).find((e) => e.type === "tool_result");
    expect(call).toMatchObject({ ok: false, stopped_by: "approval" });
    expect(paths).toEqual([]);
    expect(result.code).toBe(0);
  }, 60_000);

  test("a deny pattern refuses the URL however it is spelt: user info, percent-encoded letters", async () => {
    const { port, paths } = await target();
    const urls = [
      `http://someone@127.0.0.1:${port}/admin/users`,
      `http://127.0.0.1:${port}/%61dmin/users`,
      `http://127.0.0.1:${port}/%2561dmin`,
    ];
    const main = await e2e.mock([
      { toolCalls: urls.map((url, i) => ({ id: `w${i}`, name: "web", arguments: { url } })) },
      { text: "done" },
    ]);
    webAgent(main.baseUrls.openai, "auto", `{ deny = ["web:* http://127.0.0.1:${port}/admin*"] }`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    const calls = parseNdjson(result.stdout).filter((e) => e.type === "tool_result");
    expect(calls.map((e) => [e.id, e.ok, e.stopped_by])).toEqual([
      ["w0", false, "approval"],
      ["w1", false, "approval"],
      ["w2", true, undefined],
    ]);
    // %2561 is "%61" itself, not "a": that call is not an /admin call and reaches the server as such.
    expect(paths).toEqual(["/%2561dmin"]);
    expect(result.code).toBe(0);
  }, 60_000);
});

describe("the method the policy judges is the method sent", () => {
  test("a model's X-HTTP-Method-Override does not reach the server of a GET-only, read-only tool", async () => {
    const { port, requests } = await target();
    const main = await e2e.mock([
      {
        toolCalls: [
          {
            id: "w1",
            name: "web",
            arguments: {
              url: `http://127.0.0.1:${port}/users/1`,
              headers: { "X-HTTP-Method-Override": "DELETE" },
            },
          },
        ],
      },
      { text: "done" },
    ]);
    e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "probe")}
[tools.web]
kind = "http"
timeout = "5s"
methods = ["GET"]
allow_private = ["127.0.0.1"]

[agents.probe]
tools = ["web"]
mode = "readonly"
`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    // Before, the header went out: a server honouring it ran a DELETE for a read-only agent.
    expect(requests).toEqual(["GET /users/1 -"]);
  }, 60_000);
});

describe("failure limits count what the model cannot launder", () => {
  test("a call refused by a deny pattern between failures does not reset the consecutive count", async () => {
    const main = await e2e.mock([
      shellCall("f1", "false"),
      shellCall("f2", "false"),
      shellCall("d1", "echo denied"),
      shellCall("f3", "false"),
      { text: "kept going" },
    ]);
    e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "worker")}
${SHELL_TOOL_TOML}
[agents.worker]
tools = ["sh"]
mode = "auto"

[agents.worker.policy]
approval = { deny = ["sh:echo denied*"] }
failures = { max_consecutive = 2, max_total = 20 }
`);
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    const events = parseNdjson(result.stdout);
    expect(events.find((e) => e.id === "d1" && e.type === "tool_result")).toMatchObject({
      ok: false,
      stopped_by: "approval",
    });
    expect(String(events.find((e) => e.id === "f3" && e.type === "tool_result")?.error)).toContain(
      "3 consecutive tool failures (limit 2)",
    );
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "failed", stop_reason: "tool_error" });
    expect(result.stdout).not.toContain("kept going");
    expect(result.code).toBe(1);
  }, 60_000);
});

describe("what a human approves is shown whole", () => {
  test("approvals list shows a deferred call's whole arguments, however long", async () => {
    const padding = "x".repeat(200);
    const main = await e2e.mock([
      shellCall("p1", `echo ${padding} > /dev/null; echo TAIL-SHOWN >> calls.log`),
      { text: "done" },
    ]);
    e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "worker")}
${SHELL_TOOL_TOML}
[agents.worker]
tools = ["sh"]
mode = "ask"
policy = { approval = { tools = ["sh"] } }
`);
    const deferred = await e2e.agentry(["run", "--approve", "defer", "--output", "ndjson", "go"]);
    expect(deferred.code).toBe(5);
    const list = await e2e.agentry(["approvals", "list"]);
    expect(list.code).toBe(0);
    // Before, the row cut the arguments at 80 characters: `{"command":"echo xxx…`.
    expect(list.stdout).toContain(`${padding} > /dev/null; echo TAIL-SHOWN >> calls.log`);
  }, 60_000);
});

describe("a file deny pattern covers what a search reads", () => {
  test("search . does not read .env past deny files:read .env; a search of a folder it cannot reach runs", async () => {
    const main = await e2e.mock([
      {
        toolCalls: [
          { id: "s1", name: "files", arguments: { op: "search", path: ".", pattern: "launch" } },
          { id: "s2", name: "files", arguments: { op: "search", path: "./docs/..", pattern: "launch" } },
          { id: "s3", name: "files", arguments: { op: "search", path: "docs", pattern: "launch" } },
        ],
      },
      { text: "done" },
    ]);
    const ws = e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "reader")}
[tools.files]
kind = "file"
root = "."

[agents.reader]
tools = ["files"]
mode = "auto"
policy = { approval = { deny = ["files:read .env"] } }
`);
    ws.write(".env", "launch code 4242\n");
    mkdirSync(join(ws.dir, "docs"));
    ws.write("docs/a.md", "launch notes\n");
    const result = await e2e.agentry(["run", "--output", "ndjson", "go"]);
    expect(result.code).toBe(0);
    const calls = new Map(
      parseNdjson(result.stdout)
        .filter((e) => e.type === "tool_result")
        .map((e) => [String(e.id), e]),
    );
    // Before, s1 and s2 answered ".env:1: launch code 4242".
    expect(result.stdout).not.toContain("4242");
    for (const id of ["s1", "s2"]) {
      expect(calls.get(id)).toMatchObject({ ok: false, stopped_by: "approval" });
      expect(String(calls.get(id)?.error)).toContain('which "read .env" may cover');
    }
    expect(calls.get("s3")).toMatchObject({ ok: true });
    expect(String(calls.get("s3")?.output)).toContain("docs/a.md:1: launch notes");
  }, 60_000);
});

describe("--disallowed-tools removes a tool by every name it is known by", () => {
  test("mcp:SERVER removes the server's tools; agent:NAME removes a kind = agent tool that runs NAME", async () => {
    const main = await e2e.mock((request) => {
      const offered = ((request.body as { tools?: { function: { name: string } }[] }).tools ?? []).map(
        (tool) => tool.function.name,
      );
      if (systemOf(request).startsWith("HELPER")) return { text: "helper ran" };
      if (lastOf(request).role === "user") {
        return {
          toolCalls: [
            { id: "m1", name: "mcp__docs__echo", arguments: { text: "hi" } },
            { id: "r1", name: "research", arguments: { task: "look it up" } },
          ],
        };
      }
      return { text: `offered: ${offered.join(",") || "none"}` };
    });
    e2e.workspace(`${mockDefaultsToml(main.baseUrls.openai, "boss")}
${mcpServer("docs")}
[tools.research]
kind = "agent"
agent = "helper"

[agents.helper]
instructions = "HELPER"

[agents.boss]
tools = ["mcp:docs", "research"]
mode = "auto"
`);
    const result = await e2e.agentry(
      ["run", "--output", "ndjson", "--disallowed-tools", "mcp:docs,agent:helper", "go"],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    const events = parseNdjson(result.stdout);
    // Before, both ran: the flag matched only the names mcp__docs__echo and research.
    for (const id of ["m1", "r1"]) {
      expect(events.find((e) => e.type === "tool_result" && e.id === id && e.agent === "boss")).toMatchObject(
        {
          ok: false,
          stopped_by: "registry",
        },
      );
    }
    expect(events.some((e) => e.type === "subagent_start")).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "run_end", answer: "offered: none" });

    const kept = await e2e.agentry(["run", "--output", "ndjson", "--allowed-tools", "mcp:docs", "go"], {
      timeoutMs: 60_000,
    });
    expect(parseNdjson(kept.stdout).find((e) => e.type === "tool_result" && e.id === "m1")).toMatchObject({
      ok: true,
    });
  }, 120_000);
});
