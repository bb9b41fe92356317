// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text holds ${VAR} references literally
import { afterEach, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

const MOCK_SERVER = join(import.meta.dir, "../support/mock-mcp-server.ts");
const BUN = process.execPath;
const SECRET = "top-secret-value-Kq93Lm20Xz";
const BEARER = "bearer-token-Vn38Qa71Wp";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let httpServer: ChildProcess | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  httpServer?.kill("SIGKILL");
  httpServer = undefined;
  ws?.remove();
  ws = undefined;
});

interface RequestBody {
  messages: { role: string; content: string; tool_call_id?: string }[];
  tools?: { function: { name: string; parameters: Record<string, unknown> } }[];
}

const call = (id: string, name: string, args: Record<string, unknown> = {}): MockTurn => ({
  toolCalls: [{ id, name, arguments: args }],
});

/** The content of the tool messages the model received in its last request. */
function toolMessages(body: RequestBody): string[] {
  return body.messages.filter((message) => message.role === "tool").map((message) => String(message.content));
}

async function setup(
  server: string,
  agentExtra: string,
  turns: MockTurn[] | ((body: RequestBody, index: number) => MockTurn),
) {
  mock = await startMockProvider({
    turns:
      typeof turns === "function" ? (request, index) => turns(request.body as RequestBody, index) : turns,
  });
  ws = makeWorkspace(`
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"
max_turns = 6

${mockProviderToml(mock.baseUrls.openai)}
${server}

[audit]
path = "audit.jsonl"

[agents.a]
tools = ["mcp:srv"]
${agentExtra.includes("mode =") ? "" : 'mode = "auto"'}
${agentExtra}
`);
  return ws;
}

function stdioServer(extra = "", args: string[] = []): string {
  return `[mcp.srv]
command = ${JSON.stringify(BUN)}
args = ${JSON.stringify([MOCK_SERVER, ...args])}
env = ["PATH", "VISIBLE_VAR"]
${extra}`;
}

function agentry(args: string[]) {
  if (!ws) throw new Error("no workspace");
  return runBinary([...args, "-c", ws.configPath, "--output", "ndjson"], {
    cwd: ws.dir,
    env: {
      AGENTRY_STATE_DIR: ws.stateDir,
      SECRET_VAR: SECRET,
      VISIBLE_VAR: "visible-value",
      MCP_BEARER: BEARER,
    },
    timeoutMs: 40_000,
  });
}

/** Starts the mock MCP server over HTTP in the background and returns its URL. */
function startHttpMock(args: string[]): Promise<string> {
  httpServer = spawn(BUN, [MOCK_SERVER, ...args], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise<string>((resolve) => {
    httpServer?.stdout?.on("data", (chunk: Buffer) => {
      const found = /listening (\S+)/.exec(String(chunk));
      if (found?.[1]) resolve(found[1]);
    });
  });
}

function results(stdout: string) {
  return parseNdjson(stdout).filter((event) => event["type"] === "tool_result");
}

/**
 * A model that calls the mock's `hang` tool, then answers `answer`; the server writes its own and
 * its grandchild's pid to the returned file.
 */
async function setupHang(serverExtra: string, answer: string): Promise<string> {
  const workspace = await setup(stdioServer(serverExtra, ["--pid-file", "PIDS"]), "", [
    call("h1", "mcp__srv__hang"),
    { text: answer },
  ]);
  const pidFile = join(workspace.dir, "pids.txt");
  workspace.write(
    "agentry.toml",
    readFileSync(workspace.configPath, "utf8").replace('"PIDS"', JSON.stringify(pidFile)),
  );
  return pidFile;
}

/** Whether a process still runs (a zombie, dead but unreaped, counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe("MCP client on the compiled binary", () => {
  test("the model calls an MCP tool (2026-07-28 over stdio) and gets its result; schemas are offered as mcp__srv__*", async () => {
    let seenTools: string[] = [];
    await setup(stdioServer(), "", (body, index) => {
      if (index === 0) {
        seenTools = (body.tools ?? []).map((tool) => tool.function.name);
        return call("c1", "mcp__srv__echo", { text: "hello" });
      }
      return { text: `model saw: ${toolMessages(body).join(" | ")}` };
    });
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    expect(seenTools).toContain("mcp__srv__echo");
    expect(seenTools).toContain("mcp__srv__danger");
    const [echo] = results(result.stdout);
    expect(echo?.["ok"]).toBe(true);
    expect(String(echo?.["output"])).toContain("echo: hello");
    const end = parseNdjson(result.stdout).at(-1);
    expect(String(end?.["answer"])).toContain("echo: hello");
  });

  test("an isError result is a tool error whose text the model sees framed as untrusted; an image is summarised", async () => {
    await setup(stdioServer(), "", [
      {
        toolCalls: [
          { id: "f", name: "mcp__srv__fail", arguments: {} },
          { id: "i", name: "mcp__srv__image", arguments: {} },
        ],
      },
      { text: "done" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const byId = new Map(results(result.stdout).map((event) => [event["id"], event]));
    expect(byId.get("f")?.["ok"]).toBe(false);
    expect(String(byId.get("f")?.["error"])).toBe("the MCP tool reported an error");
    expect(String(byId.get("f")?.["output"])).toContain("failed on purpose");
    const seen = toolMessages(mock?.requests.at(-1)?.body as RequestBody).find((text) =>
      text.includes("failed on purpose"),
    );
    expect(seen).toMatch(
      /^error: the MCP tool reported an error\n<tool_output [^>]*untrusted='true'>\n.*failed on purpose/,
    );
    expect(byId.get("i")?.["ok"]).toBe(true);
    expect(String(byId.get("i")?.["output"])).toContain("here is the picture");
    expect(String(byId.get("i")?.["output"])).toMatch(/\[image content: image\/png, \d+ bytes/);
    expect(String(byId.get("i")?.["output"])).not.toContain("iVBORw0KGgo");
  });

  test("an approval deny rule on mcp__srv__danger refuses the call, which never reaches the server", async () => {
    await setup(stdioServer(), `[agents.a.policy]\napproval = { deny = ["mcp__srv__danger"] }`, [
      call("d1", "mcp__srv__danger", { target: "prod" }),
      { text: "gave up" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const [denied] = results(result.stdout);
    expect(denied?.["ok"]).toBe(false);
    expect(denied?.["stopped_by"]).toBe("approval");
    expect(String(denied?.["error"])).not.toContain("danger done");
  });

  test("argument patterns on an MCP tool match all of its arguments, not a field that happens to be named command", async () => {
    await setup(stdioServer(), `[agents.a.policy]\napproval = { deny = ["mcp__srv__echo:*forbidden*"] }`, [
      {
        toolCalls: [
          { id: "x", name: "mcp__srv__echo", arguments: { command: "harmless", text: "forbidden words" } },
          { id: "y", name: "mcp__srv__echo", arguments: { text: "allowed words" } },
        ],
      },
      { text: "done" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const byId = new Map(results(result.stdout).map((event) => [event["id"], event]));
    expect(byId.get("x")?.["stopped_by"]).toBe("approval");
    expect(byId.get("y")?.["ok"]).toBe(true);
  });

  test("[mcp.srv.policy] asks for the server's tools by glob; --approve deny denies them", async () => {
    await setup(stdioServer(`[mcp.srv.policy]\napproval = { tools = ["mcp__srv__*"] }`), 'mode = "ask"', [
      call("d1", "mcp__srv__danger", { target: "prod" }),
      { text: "gave up" },
    ]);
    const result = await agentry(["run", "a", "go", "--approve", "deny"]);
    expect(result.code).toBe(0);
    const [denied] = results(result.stdout);
    expect(denied?.["ok"]).toBe(false);
    expect(denied?.["stopped_by"]).toBe("approval");
  });

  test("a hanging tool times out (tool_timeout) and the server's process tree is gone after the run", async () => {
    const pidFile = await setupHang('tool_timeout = "1s"', "moved on");
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const [hung] = results(result.stdout);
    expect(hung?.["ok"]).toBe(false);
    expect(String(hung?.["error"])).toContain("timed out");
    const pids = readFileSync(pidFile, "utf8").split(" ").map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(running(pid)).toBe(false);
  });

  test("Ctrl-C while an MCP tool hangs: exit 130 and the server's process tree is gone", async () => {
    const pidFile = await setupHang("", "never");
    const workspace = ws as Workspace;
    const child = spawn(BINARY, ["run", "a", "go", "-c", workspace.configPath, "--output", "ndjson"], {
      cwd: workspace.dir,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: workspace.dir,
        NO_COLOR: "1",
        AGENTRY_STATE_DIR: workspace.stateDir,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('"tool_call"') && Date.now() < deadline) await Bun.sleep(25);
    expect(stdout).toContain('"tool_call"');
    const pids = readFileSync(pidFile, "utf8").split(" ").map(Number);
    for (const pid of pids) expect(running(pid)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    for (const pid of pids) expect(running(pid)).toBe(false);
  });

  test("a 2025 stdio server that exits on the server/discover probe is started again straight into initialize", async () => {
    await setup(stdioServer("required = true", ["--era", "legacy", "--exit-on-discover"]), "", [
      call("e", "mcp__srv__echo", { text: "again" }),
      { text: "ok" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const [echo] = results(result.stdout);
    expect(String(echo?.["output"])).toContain("echo: again");
  });

  test("a required server that fails to start ends the run with exit 4", async () => {
    await setup(stdioServer("required = true", ["--fail-start"]), "", [{ text: "never" }]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(4);
    const end = parseNdjson(result.stdout).at(-1);
    expect(end?.["type"]).toBe("run_end");
    expect(JSON.stringify(end?.["error"])).toContain("required MCP server");
    expect(JSON.stringify(end?.["error"])).toContain("refusing to start");
    expect(mock?.requests).toHaveLength(0);
  });

  test("an unset ${VAR} a server needs is a configuration error (exit 2) naming it, even for an optional server", async () => {
    await setup(stdioServer('set_env = { TOKEN = "${MCP_UNSET_VAR}" }'), "", [{ text: "never" }]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toContain("MCP_UNSET_VAR");
    expect(mock?.requests).toHaveLength(0);
  });

  test("an optional server that fails to start is a warning; the run goes on without its tools", async () => {
    let seenTools: string[] = ["unset"];
    await setup(stdioServer("", ["--fail-start"]), "", (body) => {
      seenTools = (body.tools ?? []).map((tool) => tool.function.name);
      return { text: "fine without it" };
    });
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const warning = parseNdjson(result.stdout).find((event) => event["type"] === "warning");
    expect(String(warning?.["message"])).toContain('MCP server "srv" is unavailable');
    expect(seenTools).toEqual([]);
  });

  test("a stdio server never sees a variable that was not passed through (legacy 2025 era)", async () => {
    await setup(stdioServer("", ["--era", "legacy"]), "", [
      {
        toolCalls: [
          { id: "s", name: "mcp__srv__env", arguments: { name: "SECRET_VAR" } },
          { id: "v", name: "mcp__srv__env", arguments: { name: "VISIBLE_VAR" } },
        ],
      },
      { text: "checked" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const byId = new Map(results(result.stdout).map((event) => [event["id"], event]));
    expect(String(byId.get("s")?.["output"])).toContain("<unset>");
    expect(String(byId.get("v")?.["output"])).toContain("visible-value");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  test("streamable HTTP with a bearer token from bearer_token_env: works, and the token is redacted everywhere", async () => {
    const url = await startHttpMock(["--transport", "http", "--require-bearer", BEARER]);
    const workspace = await setup(`[mcp.srv]\nurl = "${url}"\nbearer_token_env = "MCP_BEARER"`, "", [
      call("e", "mcp__srv__echo", { text: `token is ${BEARER}` }),
      { text: "ok" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const [echo] = results(result.stdout);
    expect(echo?.["ok"]).toBe(true);
    expect(String(echo?.["output"])).toContain("echo: token is");
    const audit = readFileSync(join(workspace.dir, "audit.jsonl"), "utf8");
    for (const text of [result.stdout, result.stderr, audit]) expect(text).not.toContain(BEARER);
    expect(existsSync(join(workspace.dir, "audit.jsonl"))).toBe(true);
  });
});

describe("MCP over HTTP: OAuth client_credentials and the legacy HTTP+SSE transport", () => {
  test("OAuth client_credentials: a 401 costs one token refresh, then the call works; secret and tokens are redacted", async () => {
    const url = await startHttpMock(["--transport", "http", "--oauth", `ci:${SECRET}`]);
    const base = url.replace(/\/mcp$/, "");
    const workspace = await setup(
      `[mcp.srv]\nurl = "${url}"\nrequired = true\noauth = { token_url = "${base}/token", client_id = "ci", client_secret_env = "SECRET_VAR" }`,
      "",
      [call("e", "mcp__srv__echo", { text: `secret ${SECRET} and tok-2` }), { text: "ok" }],
    );
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const [echo] = results(result.stdout);
    expect(echo?.["ok"]).toBe(true);
    expect(await (await fetch(`${base}/token-count`)).text()).toBe("2");
    const audit = readFileSync(join(workspace.dir, "audit.jsonl"), "utf8");
    for (const text of [result.stdout, result.stderr, audit]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("tok-2");
    }
  });

  test("OAuth with a client secret the token endpoint refuses: a clear error naming the server (required: exit 4)", async () => {
    const url = await startHttpMock(["--transport", "http", "--oauth", "ci:another-secret"]);
    const base = url.replace(/\/mcp$/, "");
    await setup(
      `[mcp.srv]\nurl = "${url}"\nrequired = true\noauth = { token_url = "${base}/token", client_id = "ci", client_secret_env = "SECRET_VAR" }`,
      "",
      [{ text: "never" }],
    );
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(4);
    const end = parseNdjson(result.stdout).at(-1);
    expect(JSON.stringify(end?.["error"])).toContain(
      'MCP server \\"srv\\": the token endpoint refused client_credentials',
    );
  });

  test("a server that refuses streamable HTTP is reached over the legacy HTTP+SSE transport (2024-11-05)", async () => {
    const url = await startHttpMock(["--transport", "sse"]);
    await setup(`[mcp.srv]\nurl = "${url}"`, "", [
      call("e", "mcp__srv__echo", { text: "old" }),
      { text: "ok" },
    ]);
    const result = await agentry(["run", "a", "go"]);
    expect(result.code).toBe(0);
    const [echo] = results(result.stdout);
    expect(String(echo?.["output"])).toContain("echo: old");
  });

  for (const transport of ["http", "sse", "stdio"]) {
    test(`a ${transport} server's answer over 16 MiB is a failed call, never read whole; the server's other tools still answer`, async () => {
      const server =
        transport === "stdio"
          ? stdioServer()
          : `[mcp.srv]\nurl = "${await startHttpMock(["--transport", transport])}"`;
      await setup(`${server}\ntool_timeout = "5s"`, "", [
        call("f", "mcp__srv__flood", { mib: 40 }),
        call("s", "mcp__srv__flood", { mib: 1 }),
        { text: "ok" },
      ]);
      const result = await agentry(["run", "a", "go"]);
      expect(result.code).toBe(0);
      const [flood, small] = results(result.stdout);
      expect(flood?.["ok"]).toBe(false);
      expect(String(flood?.["output"]).length).toBeLessThan(10_000);
      if (transport !== "stdio") expect(small?.["ok"]).toBe(true);
    }, 60_000);
  }
});

describe("agentry tools and agentry doctor with MCP servers", () => {
  test("tools lists each server's offered tools by the name the model sees; a failed server is a row with its problem", async () => {
    ws = makeWorkspace(`
[defaults]
model = "mock/m"
${mockProviderToml("http://127.0.0.1:9/v1")}
${stdioServer('disabled_tools = ["hang", "add_*"]')}
[mcp.broken]
command = ${JSON.stringify(BUN)}
args = [${JSON.stringify(MOCK_SERVER)}, "--fail-start"]

[agents.a]
tools = ["mcp:srv/e*"]
`);
    const all = await runBinary(["tools", "--json", "-c", ws.configPath], { cwd: ws.dir, timeoutMs: 30_000 });
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout) as {
      name: string;
      kind: string;
      server?: string;
      problem?: string;
      parameters: unknown;
    }[];
    const names = rows.map((row) => row.name);
    expect(names).toContain("mcp__srv__echo");
    expect(names).toContain("mcp__srv__danger");
    expect(names).not.toContain("mcp__srv__hang");
    expect(names).not.toContain("mcp__srv__add_tool");
    expect(rows.find((row) => row.name === "mcp__srv__echo")?.parameters).toMatchObject({
      properties: { text: { type: "string" } },
    });
    expect(rows.find((row) => row.name === "mcp:broken")?.problem).toContain("refusing to start");
    const agentOnly = await runBinary(["tools", "a", "--json", "-c", ws.configPath], {
      cwd: ws.dir,
      timeoutMs: 30_000,
    });
    expect(agentOnly.code).toBe(0);
    expect((JSON.parse(agentOnly.stdout) as { name: string }[]).map((row) => row.name).sort()).toEqual([
      "mcp__srv__echo",
      "mcp__srv__env",
    ]);
  });

  test("doctor reports each server's state, protocol and tools; a failed optional server is a warning, a required one a failure", async () => {
    const server = (extra: string) =>
      `${stdioServer()}\n[mcp.broken]\ncommand = ${JSON.stringify(BUN)}\nargs = [${JSON.stringify(MOCK_SERVER)}, "--fail-start"]\n${extra}`;
    mock = await startMockProvider({ turns: [] });
    const provider = mockProviderToml(mock.baseUrls.openai);
    ws = makeWorkspace(`${provider}${server("")}`);
    const optional = await runBinary(["doctor", "-c", ws.configPath], { cwd: ws.dir, timeoutMs: 30_000 });
    expect(optional.stdout).toMatch(
      /ok {4}mcp server srv: up \(stdio, protocol 2026-07-28\), 10 tools: mcp__srv__echo/,
    );
    expect(optional.stdout).toMatch(/warn {2}mcp server broken: unavailable/);
    expect(optional.code).toBe(0);
    ws.write("agentry.toml", `${provider}${server("required = true")}`);
    const required = await runBinary(["doctor", "-c", ws.configPath], { cwd: ws.dir, timeoutMs: 30_000 });
    expect(required.stdout).toMatch(/FAIL {2}mcp server broken \(required\)/);
    expect(required.code).toBe(1);
  });
});
