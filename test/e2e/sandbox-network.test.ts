import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { compileMockMcpServer, type MockMcpExecutable } from "../support/mock-mcp-executable.ts";
import { eventually } from "../support/processes.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

/**
 * Issue 19's allow-listed network on the compiled binary with the real bubblewrap: the sandboxed
 * command reaches the network only through agentry's proxy (the bridge, agentry re-executed inside
 * the sandbox, carries its loopback to the proxy's Unix socket). The test server listens on the
 * host's 127.0.0.1, which the SSRF guard refuses unless `network_allow_private` lists it.
 */
const HAS_BWRAP = process.platform === "linux" && existsSync("/usr/bin/bwrap");

let mock: MockProvider | undefined;
let dir: string | undefined;
let server: ReturnType<typeof Bun.serve> | undefined;
let paths: string[] = [];

afterEach(async () => {
  await mock?.close();
  server?.stop(true);
  if (dir) rmSync(dir, { recursive: true, force: true });
  mock = undefined;
  server = undefined;
  dir = undefined;
  paths = [];
});

/** A local HTTP server recording the paths it served. */
function startServer(): number {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request) => {
      const url = new URL(request.url);
      paths.push(url.pathname);
      return new Response(`served ${url.pathname} for ${request.headers.get("host")}\n`);
    },
  });
  return server.port as number;
}

/** A workspace in /var/tmp (a sandbox's /tmp is private) with a home and a TMPDIR of its own. */
function workspace(): string {
  const ws = mkdtempSync("/var/tmp/agentry-sandbox-net-");
  mkdirSync(join(ws, "home"));
  mkdirSync(join(ws, "tmp"));
  dir = ws;
  return ws;
}

/** The mock MCP server (`executable`), sandboxed read-only, allowed to reach only the test server. */
function mcpServer(port: number, executable: string): string {
  return `
[mcp.srv]
command = ${JSON.stringify(executable)}
env = ["PATH", "HOME"]
required = true
sandbox = "read-only"
network = "allow"
network_allow = ["localhost:${port}"]
network_allow_private = ["localhost"]
`;
}

function tool(name: string, lines: string): string {
  return `
[tools.${name}]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "read-only"
network = "allow"
${lines}
`;
}

/** Runs one model turn making every call at once (or one turn per call), then a final answer; TMPDIR is the workspace's. */
async function run(
  tools: string,
  names: string[],
  calls: [tool: string, args: string | Record<string, unknown>][],
  options: { oneCallPerTurn?: boolean } = {},
) {
  const toolCalls = calls.map(([name, args], i) => ({
    id: `c${i}`,
    name,
    arguments: typeof args === "string" ? { command: args } : args,
  }));
  const turns = options.oneCallPerTurn ? toolCalls.map((call) => [call]) : [toolCalls];
  mock = await startMockProvider({
    turns: [...turns.map((turn) => ({ toolCalls: turn })), { text: "done" }],
  });
  const ws = dir as string;
  const config = join(ws, "agentry.toml");
  writeFileSync(
    config,
    `[defaults]\nagent = "a"\nmodel = "mock/gpt-4.1-mini"\nmax_turns = 10\n\n${mockProviderToml(mock.baseUrls.openai)}
${tools}
[agents.a]
tools = ${JSON.stringify(names)}
mode = "auto"

[agents.a.policy]
failures = { max_consecutive = 50, max_total = 50 }

[audit]
path = "audit.jsonl"
`,
  );
  const result = await runBinary(["run", "-c", config, "--output", "ndjson", "go"], {
    cwd: ws,
    env: { AGENTRY_STATE_DIR: join(ws, "state"), HOME: join(ws, "home"), TMPDIR: join(ws, "tmp") },
    timeoutMs: 90_000,
  });
  const events = parseNdjson(result.stdout);
  const byId = new Map(
    events.filter((event) => event["type"] === "tool_result").map((event) => [event["id"] as string, event]),
  );
  const audit = readFileSync(join(ws, "audit.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record["type"] === "tool_call");
  const auditById = new Map(audit.map((record) => [record["call_id"] as string, record]));
  return { ...result, byId, auditById };
}

function text(event: Record<string, unknown> | undefined): string {
  return `${event?.["output"] ?? ""}${event?.["error"] ?? ""}`;
}

describe.skipIf(!HAS_BWRAP)("allow-listed network (network_allow) through agentry's proxy", () => {
  let server: MockMcpExecutable | undefined;
  beforeAll(() => {
    server = compileMockMcpServer();
  });
  afterAll(() => server?.remove());

  test("curl reaches a listed host; an unlisted name, port or address, a direct connection and a raw socket do not; each call sees only its own proxy", async () => {
    const ws = workspace();
    const port = startServer();
    const tools = tool("net", `network_allow = ["localhost:${port}"]\nnetwork_allow_private = ["localhost"]`);
    const raw = `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET /raw HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3'`;
    const result = await run(
      tools,
      ["net"],
      [
        ["net", `curl -sS --max-time 20 http://localhost:${port}/listed`],
        ["net", `curl -sSf --max-time 20 http://127.0.0.1:${port}/by-address`],
        ["net", `curl -sSf --max-time 20 http://localhost:${port + 1}/other-port`],
        ["net", "curl -sS --max-time 20 https://example.com/"],
        ["net", `curl -sS --max-time 20 --noproxy '*' http://localhost:${port}/direct`],
        ["net", raw],
        ["net", `ls -A ${join(ws, "tmp", `agentry-net-${process.getuid?.()}`)}`],
      ],
    );
    expect(result.code).toBe(0);
    expect(result.byId.get("c0")?.["ok"]).toBe(true);
    expect(text(result.byId.get("c0"))).toContain(`served /listed for localhost:${port}`);

    expect(result.byId.get("c1")?.["ok"]).toBe(false);
    expect(String(result.byId.get("c1")?.["error"])).toContain(
      `refused GET 127.0.0.1:${port}: 127.0.0.1 is not in network_allow (localhost:${port})`,
    );
    expect(String(result.byId.get("c2")?.["error"])).toContain(
      `refused GET localhost:${port + 1}: port ${port + 1} of localhost is not in network_allow`,
    );
    expect(String(result.byId.get("c3")?.["error"])).toContain(
      "refused CONNECT example.com:443: example.com is not in network_allow",
    );
    for (const id of ["c4", "c5"]) {
      expect(result.byId.get(id)?.["ok"]).toBe(false);
      expect(text(result.byId.get(id))).not.toContain("served");
    }
    expect(result.byId.get("c6")?.["ok"]).toBe(true);
    expect(text(result.byId.get("c6"))).toContain("\nproxy.sock\n");
    expect(text(result.byId.get("c6"))).not.toContain("p-");
    expect(paths).toEqual(["/listed"]);

    expect(String(result.auditById.get("c1")?.["error"])).toContain(`refused GET 127.0.0.1:${port}`);
    expect(String(result.auditById.get("c3")?.["error"])).toContain("refused CONNECT example.com:443");
    expect(readdirSync(join(ws, "tmp", `agentry-net-${process.getuid?.()}`))).toEqual([]);
  }, 120_000);

  test("a listed host on a loopback address is refused by the SSRF guard unless network_allow_private lists it", async () => {
    workspace();
    const port = startServer();
    const result = await run(
      tool("net", `network_allow = ["localhost:${port}"]`),
      ["net"],
      [["net", `curl -sSf --max-time 20 http://localhost:${port}/guarded`]],
    );
    expect(result.code).toBe(0);
    expect(result.byId.get("c0")?.["ok"]).toBe(false);
    expect(String(result.byId.get("c0")?.["error"])).toContain(
      "is a loopback address (localhost resolves to it); list it in network_allow_private to permit it",
    );
    expect(paths).toEqual([]);
  }, 120_000);

  test("a stdio MCP server sandboxed with network_allow reaches only the listed host; each call's result carries its refusals", async () => {
    const ws = workspace();
    const port = startServer();
    const result = await run(
      mcpServer(port, server?.path ?? ""),
      ["mcp:srv"],
      [
        ["mcp__srv__fetch", { url: `http://localhost:${port}/from-mcp` }],
        ["mcp__srv__fetch", { url: `http://127.0.0.1:${port}/refused` }],
        ["mcp__srv__env", { name: "http_proxy" }],
      ],
      { oneCallPerTurn: true },
    );
    expect(result.code).toBe(0);
    expect(text(result.byId.get("c0"))).toContain(`fetched 200: served /from-mcp for localhost:${port}`);
    expect(text(result.byId.get("c0"))).not.toContain("refused");
    expect(text(result.byId.get("c1"))).toContain(
      `refused GET 127.0.0.1:${port}: 127.0.0.1 is not in network_allow (localhost:${port})`,
    );
    expect(text(result.byId.get("c2"))).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
    expect(paths).toEqual(["/from-mcp"]);
    expect(readdirSync(join(ws, "tmp", `agentry-net-${process.getuid?.()}`))).toEqual([]);
  }, 120_000);

  test('a network = "none" sandbox started before any proxy cannot reach a later launch\'s proxy socket (TMPDIR outside /tmp)', async () => {
    const ws = workspace();
    const port = startServer();
    const root = join(ws, "tmp", `agentry-net-${process.getuid?.()}`);
    const mocks: MockProvider[] = [];
    const launch = async (name: string, toolLines: string, command: string) => {
      const provider = await startMockProvider({
        turns: [{ toolCalls: [{ id: "c0", name: "t", arguments: { command } }] }, { text: "done" }],
      });
      mocks.push(provider);
      const config = join(ws, `${name}.toml`);
      writeFileSync(
        config,
        `[defaults]\nagent = "a"\nmodel = "mock/gpt-4.1-mini"\n\n${mockProviderToml(provider.baseUrls.openai)}\n[tools.t]\nkind = "shell"\nshell = true\nenv = ["PATH", "HOME"]\ncwd = "."\n${toolLines}\n[agents.a]\ntools = ["t"]\nmode = "auto"\n`,
      );
      const result = await runBinary(["run", "-c", config, "--output", "ndjson", "go"], {
        cwd: ws,
        env: { AGENTRY_STATE_DIR: join(ws, "state"), HOME: join(ws, "home"), TMPDIR: join(ws, "tmp") },
        timeoutMs: 90_000,
      });
      return text(parseNdjson(result.stdout).find((event) => event["type"] === "tool_result"));
    };
    try {
      // The offline command looks for another launch's proxy socket and, once one appears, talks to
      // it with agentry's own bridge (any client of a Unix socket would do).
      const offline = launch(
        "offline",
        'sandbox = "workspace-write"',
        [
          "touch started",
          "s=''",
          "for i in $(seq 1 300); do",
          `  if [ -e ${root} ] && ! ls ${root} > /dev/null 2>&1; then echo ROOT-HIDDEN; break; fi`,
          `  s=$(ls ${root}/p-*/s 2> /dev/null | head -n 1); [ -n "$s" ] && break`,
          "  sleep 0.1",
          "done",
          `[ -n "$s" ] && ${BINARY} __sandbox-bridge --socket "$s" -- curl -sS --max-time 10 http://localhost:${port}/stolen`,
          "touch done",
        ].join("\n"),
      );
      expect(await eventually(() => existsSync(join(ws, "started")), 60_000)).toBe(true);
      const listed = launch(
        "listed",
        `sandbox = "read-only"\nnetwork = "allow"\nnetwork_allow = ["localhost:${port}"]\nnetwork_allow_private = ["localhost"]`,
        "for i in $(seq 1 300); do [ -f done ] && break; sleep 0.1; done; echo LISTED-DONE",
      );
      const [offlineText, listedText] = await Promise.all([offline, listed]);
      expect(listedText).toContain("LISTED-DONE");
      expect(offlineText).toContain("ROOT-HIDDEN");
      expect(offlineText).not.toContain("served /stolen");
      expect(paths).toEqual([]);
    } finally {
      for (const provider of mocks) await provider.close();
    }
  }, 120_000);
});
