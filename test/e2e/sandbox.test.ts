import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { BINARY, runBinary } from "../support/binary.ts";
import { compileMockMcpServer, type MockMcpExecutable } from "../support/mock-mcp-executable.ts";
import { eventually, processesWithArgv } from "../support/processes.ts";
import { HAS_BWRAP, makeSandboxWorkspace, type SandboxWorkspace } from "../support/sandbox-workspace.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

/** The sandbox of issue 19 on the compiled binary with the real bubblewrap. */

let mock: MockProvider | undefined;
let ws: SandboxWorkspace | undefined;
let stopServer: (() => void) | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  stopServer?.();
  stopServer = undefined;
  ws?.remove();
  ws = undefined;
});

function workspace(): SandboxWorkspace {
  ws = makeSandboxWorkspace();
  return ws;
}

function current(): SandboxWorkspace {
  if (!ws) throw new Error("no workspace");
  return ws;
}

const SHELL_TOOLS = `
[tools.ws]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "workspace-write"
deny_read = ["private.txt"]

[tools.ro]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "read-only"

[tools.net]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "workspace-write"
network = "allow"

[tools.slow]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "workspace-write"
timeout = "3s"

[tools.open]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
`;

function config(baseUrl: string, tools = SHELL_TOOLS, list = '["ws", "ro", "net", "slow", "open"]'): string {
  return `
[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"
max_turns = 4

${mockProviderToml(baseUrl)}
${tools}
[agents.a]
tools = ${list}
mode = "auto"

[agents.a.policy]
failures = { max_consecutive = 50, max_total = 50 }
`;
}

/** Runs one model turn making every call at once, then a final answer. */
async function run(
  calls: [tool: string, args: Record<string, unknown>][],
  options: { tools?: string; list?: string; path?: string } = {},
) {
  mock = await startMockProvider({
    turns: [
      { toolCalls: calls.map(([name, args], i) => ({ id: `c${i}`, name, arguments: args })) },
      { text: "done" },
    ],
  });
  const { dir, home, stateDir } = current();
  const path = join(dir, "agentry.toml");
  writeFileSync(path, config(mock.baseUrls.openai, options.tools, options.list));
  const result = await runBinary(["run", "-c", path, "--output", "ndjson", "go"], {
    cwd: dir,
    env: {
      AGENTRY_STATE_DIR: stateDir,
      HOME: home,
      ...(options.path ? { PATH: options.path } : {}),
    },
    timeoutMs: 60_000,
  });
  const events = parseNdjson(result.stdout);
  const byId = new Map(
    events.filter((event) => event["type"] === "tool_result").map((event) => [event["id"] as string, event]),
  );
  const end = events.find((event) => event["type"] === "run_end");
  return { ...result, byId, end, home };
}

function text(event: Record<string, unknown> | undefined): string {
  return `${event?.["output"] ?? ""}${event?.["error"] ?? ""}`;
}

describe.skipIf(!HAS_BWRAP)("sandboxed shell tools (bubblewrap)", () => {
  test("writes land only in writable paths; .git and the config stay read-only; read-only writes nothing", async () => {
    const { dir } = workspace();
    const outside = `${dir}.outside`;
    const result = await run([
      ["ws", { command: "echo in > inside.txt" }],
      ["ws", { command: `echo out > ${outside}` }],
      ["ws", { command: "echo hook > .git/hooks/pre-commit" }],
      ["ws", { command: "echo '[tools.x]' >> agentry.toml" }],
      ["ro", { command: "echo ro > ro.txt" }],
      ["open", { command: "echo control > control.txt" }],
    ]);
    expect(result.code).toBe(0);
    expect(result.byId.get("c0")?.["ok"]).toBe(true);
    expect(existsSync(join(dir, "inside.txt"))).toBe(true);
    for (const id of ["c1", "c2", "c3", "c4"]) {
      expect(result.byId.get(id)?.["ok"]).toBe(false);
      expect(text(result.byId.get(id))).toContain("Read-only file system");
    }
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(dir, ".git", "hooks", "pre-commit"))).toBe(false);
    expect(existsSync(join(dir, "ro.txt"))).toBe(false);
    expect(existsSync(join(dir, "control.txt"))).toBe(true);
  }, 90_000);

  test("~/.ssh (default deny list), the state dir and deny_read files cannot be read, also through links or /proc", async () => {
    workspace();
    const result = await run([
      ["ws", { command: "cat $HOME/.ssh/id_rsa" }],
      ["ws", { command: "cat private.txt" }],
      ["ws", { command: "ln -s home/.ssh/id_rsa key-link && cat key-link" }],
      ["ws", { command: "cat /proc/1/root$HOME/.ssh/id_rsa" }],
      ["ws", { command: "ls state" }],
      ["ro", { command: "cat $HOME/.ssh/id_rsa" }],
      ["ws", { command: "cat public.txt" }],
      ["open", { command: "cat $HOME/.ssh/id_rsa" }],
    ]);
    expect(result.code).toBe(0);
    for (const id of ["c0", "c1", "c2", "c3", "c4", "c5"]) {
      expect(result.byId.get(id)?.["ok"]).toBe(false);
      expect(text(result.byId.get(id))).toContain("Permission denied");
      expect(text(result.byId.get(id))).not.toContain("private_key");
      expect(text(result.byId.get(id))).not.toContain("private-data");
    }
    expect(text(result.byId.get("c6"))).toContain("public-data");
    expect(result.byId.get("c7")?.["ok"]).toBe(true);
    expect(text(result.byId.get("c7"))).toContain("[PII:private_key:");
  }, 90_000);

  test('network = "none" blocks curl and raw sockets to a local server; network = "allow" without a list does not', async () => {
    workspace();
    let connections = 0;
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => {
        connections++;
        return new Response("reached");
      },
    });
    stopServer = () => server.stop(true);
    const url = `http://127.0.0.1:${server.port}/`;
    const raw = `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${server.port} && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3'`;
    const result = await run([
      ["ws", { command: `curl -sS --max-time 10 ${url}` }],
      ["ws", { command: raw }],
      ["ro", { command: `curl -sS --max-time 10 ${url}` }],
      ["net", { command: `curl -sS --max-time 10 ${url}` }],
      ["open", { command: `curl -sS --max-time 10 ${url}` }],
    ]);
    expect(result.code).toBe(0);
    for (const id of ["c0", "c1", "c2"]) {
      expect(result.byId.get(id)?.["ok"]).toBe(false);
      expect(text(result.byId.get(id))).not.toContain("reached");
    }
    expect(text(result.byId.get("c3"))).toContain("reached");
    expect(text(result.byId.get("c4"))).toContain("reached");
    expect(connections).toBe(2);
  }, 90_000);

  test("a process that escapes into the background of a sandboxed call is killed with it, on exit and on timeout", async () => {
    workspace();
    const result = await run([
      [
        "ws",
        {
          command:
            "setsid sh -c 'touch bg1; exec sleep 3737' > /dev/null 2>&1 & nohup sh -c 'touch bg2; exec sleep 3738' > /dev/null 2>&1 & " +
            "while [ ! -e bg1 ] || [ ! -e bg2 ]; do sleep 0.05; done; echo started",
        },
      ],
      [
        "slow",
        { command: "setsid sh -c 'touch bg3; exec sleep 3739' > /dev/null 2>&1 & touch fg; exec sleep 3740" },
      ],
    ]);
    expect(result.code).toBe(0);
    expect(text(result.byId.get("c0"))).toContain("started");
    expect(String(result.byId.get("c1")?.["error"])).toContain("timed out");
    expect(existsSync(join(current().dir, "fg"))).toBe(true);
    for (const seconds of ["3737", "3738", "3739", "3740"]) {
      expect(await eventually(() => processesWithArgv(["sleep", seconds]).length === 0)).toBe(true);
    }
  }, 90_000);

  test("kill -9 of agentry mid-call takes the sandbox down with it (--die-with-parent)", async () => {
    const { dir, home, stateDir } = workspace();
    // unique to this test process: another test run on the machine must not be counted
    const seconds = String(100_000 + (process.pid % 100_000));
    mock = await startMockProvider({
      turns: [
        {
          toolCalls: [
            { id: "c0", name: "ws", arguments: { command: `touch started; exec sleep ${seconds}` } },
          ],
        },
      ],
    });
    const path = join(dir, "agentry.toml");
    writeFileSync(path, config(mock.baseUrls.openai));
    const child = spawn(BINARY, ["run", "-c", path, "go"], {
      cwd: dir,
      env: { PATH: process.env["PATH"] ?? "", HOME: home, AGENTRY_STATE_DIR: stateDir, NO_COLOR: "1" },
      stdio: "ignore",
    });
    expect(await eventually(() => existsSync(join(dir, "started")), 30_000)).toBe(true);
    expect(await eventually(() => processesWithArgv(["sleep", seconds]).length === 1)).toBe(true);
    child.kill("SIGKILL");
    expect(await eventually(() => processesWithArgv(["sleep", seconds]).length === 0)).toBe(true);
  }, 90_000);

  test("a program under the host's /tmp runs, and a read-only sandbox can work there; the rest of /tmp stays hidden", async () => {
    const { dir } = workspace();
    const tmp = mkdtempSync("/tmp/agentry-sandbox-prog-");
    try {
      writeFileSync(join(tmp, "hello.sh"), "#!/bin/sh\necho HELLO-FROM-TMP\n");
      chmodSync(join(tmp, "hello.sh"), 0o755);
      writeFileSync(join(tmp, "other.txt"), "other-tmp-file\n");
      const tools = `
[tools.here]
kind = "shell"
env = ["PATH", "HOME"]
cwd = "${tmp}"
sandbox = "read-only"

[tools.ws]
kind = "shell"
env = ["PATH", "HOME"]
cwd = "${dir}"
sandbox = "workspace-write"
`;
      const { code, byId } = await run(
        [
          ["here", { command: "./hello.sh" }],
          ["here", { command: `touch ${tmp}/planted` }],
          ["ws", { command: `${tmp}/hello.sh` }],
          ["ws", { command: `cat ${tmp}/other.txt` }],
        ],
        { tools, list: '["here", "ws"]' },
      );
      expect(code).toBe(0);
      expect(text(byId.get("c0"))).toContain("HELLO-FROM-TMP");
      expect(byId.get("c1")?.["ok"]).toBe(false);
      expect(existsSync(join(tmp, "planted"))).toBe(false);
      expect(text(byId.get("c2"))).toContain("HELLO-FROM-TMP");
      expect(byId.get("c3")?.["ok"]).toBe(false);
      expect(text(byId.get("c3"))).not.toContain("other-tmp-file");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 90_000);

  test("without bwrap on PATH the call is refused, nothing runs, and the run exits 3", async () => {
    const { dir, binDir } = workspace();
    const bin = binDir();
    for (const program of ["sh", "touch"]) symlinkSync(`/usr/bin/${program}`, join(bin, program));
    const result = await run([["ws", { command: "touch pwned" }]], { path: bin });
    expect(result.code).toBe(3);
    expect(result.end?.["stop_reason"]).toBe("sandbox");
    expect(result.end?.["status"]).toBe("stopped");
    expect(result.byId.get("c0")?.["stopped_by"]).toBe("sandbox");
    expect(String(result.byId.get("c0")?.["error"])).toContain("bwrap was not found in PATH");
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  }, 90_000);

  test("a bwrap that cannot set up its namespaces is a refusal, told apart from the command failing", async () => {
    const { dir, binDir } = workspace();
    const bin = binDir();
    symlinkSync("/usr/bin/sh", join(bin, "sh"));
    writeFileSync(
      join(bin, "bwrap"),
      "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n",
    );
    chmodSync(join(bin, "bwrap"), 0o755);
    const result = await run([["ws", { command: "touch pwned" }]], { path: bin });
    expect(result.code).toBe(3);
    expect(result.end?.["stop_reason"]).toBe("sandbox");
    expect(String(result.byId.get("c0")?.["error"])).toContain("setting up uid map: Permission denied");
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  }, 90_000);
});

describe.skipIf(!HAS_BWRAP)("sandboxed stdio MCP servers (bubblewrap)", () => {
  let executable: MockMcpExecutable | undefined;
  beforeAll(() => {
    executable = compileMockMcpServer();
  });
  afterAll(() => executable?.remove());
  const server = (extra = "") => `
[mcp.srv]
command = ${JSON.stringify(executable?.path)}
env = ["PATH", "HOME"]
required = true
sandbox = "read-only"
${extra}`;

  test("the server cannot read ~/.ssh but reads other files", async () => {
    const { dir, home } = workspace();
    const result = await run(
      [
        ["mcp__srv__read", { path: join(home, ".ssh", "id_rsa") }],
        ["mcp__srv__read", { path: join(dir, "public.txt") }],
      ],
      { tools: server(), list: '["mcp:srv"]' },
    );
    expect(result.code).toBe(0);
    expect(text(result.byId.get("c0"))).toContain("cannot read");
    expect(text(result.byId.get("c0"))).not.toContain("fake-key");
    expect(text(result.byId.get("c1"))).toContain("public-data");
  }, 90_000);

  test("a required server whose sandbox cannot be enforced does not start (exit 4)", async () => {
    const { dir, binDir } = workspace();
    const bin = binDir();
    const result = await run([["mcp__srv__read", { path: join(dir, "public.txt") }]], {
      tools: server(),
      list: '["mcp:srv"]',
      path: bin,
    });
    expect(result.code).toBe(4);
    expect(result.stdout + result.stderr).toContain("sandbox cannot be enforced");
  }, 90_000);
});
