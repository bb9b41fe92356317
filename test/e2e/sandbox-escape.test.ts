import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { HAS_BWRAP, makeSandboxWorkspace, type SandboxWorkspace } from "../support/sandbox-workspace.ts";
import { mockProviderToml, parseNdjson } from "../support/workspace.ts";

/**
 * Ways out of the sandbox (issue 19, attacker's review) on the compiled binary with the real
 * bubblewrap. agentry often runs as root (CI): a sandboxed command is then uid 0 without
 * capabilities, which is enough to talk to root daemons over Unix sockets or to write root-owned
 * kernel settings if either is reachable.
 */
let mock: MockProvider | undefined;
let ws: SandboxWorkspace | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  await mock?.close();
  mock = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
  ws?.remove();
  ws = undefined;
});

const TOOLS = `
[tools.ws]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "workspace-write"

[tools.net]
kind = "shell"
shell = true
env = ["PATH", "HOME"]
cwd = "."
sandbox = "read-only"
network = "allow"
`;

/** One model turn making every call, then a final answer; the tool results by call id. */
async function run(commands: [tool: string, command: string][]) {
  ws = makeSandboxWorkspace();
  mock = await startMockProvider({
    turns: [
      {
        toolCalls: commands.map(([name, command], i) => ({ id: `c${i}`, name, arguments: { command } })),
      },
      { text: "done" },
    ],
  });
  const path = join(ws.dir, "agentry.toml");
  writeFileSync(
    path,
    `[defaults]\nagent = "a"\nmodel = "mock/gpt-4.1-mini"\nmax_turns = 3\n\n${mockProviderToml(mock.baseUrls.openai)}\n${TOOLS}\n[agents.a]\ntools = ["ws", "net"]\nmode = "auto"\n`,
  );
  const result = await runBinary(["run", "-c", path, "--output", "ndjson", "go"], {
    cwd: ws.dir,
    env: { AGENTRY_STATE_DIR: ws.stateDir, HOME: ws.home },
    timeoutMs: 60_000,
  });
  const results = parseNdjson(result.stdout).filter((event) => event["type"] === "tool_result");
  return {
    code: result.code,
    result: (id: string) => {
      const event = results.find((candidate) => candidate["id"] === id);
      return { ok: event?.["ok"], text: `${event?.["output"] ?? ""}${event?.["error"] ?? ""}` };
    },
  };
}

describe.skipIf(!HAS_BWRAP)("sandbox escapes (bubblewrap)", () => {
  test("kernel settings under /proc/sys are read-only: no core_pattern or modprobe helper run by the kernel outside", async () => {
    // Writes back the value it read: harmless should the write go through.
    const rewrite = (name: string) =>
      `v=$(cat /proc/sys/kernel/${name}) && printf '%s\\n' "$v" > /proc/sys/kernel/${name} && echo WROTE`;
    const { code, result } = await run([
      ["ws", rewrite("core_pattern")],
      ["ws", rewrite("core_uses_pid")],
      ["net", rewrite("core_pattern")],
    ]);
    expect(code).toBe(0);
    for (const id of ["c0", "c1", "c2"]) {
      expect(result(id).ok).toBe(false);
      expect(result(id).text).toContain("Read-only file system");
      expect(result(id).text).not.toContain("WROTE");
    }
  }, 90_000);

  test("Unix sockets under /run (D-Bus, systemd, user agents) are unreachable; /run is empty and private", async () => {
    const dir = mkdtempSync("/run/agentry-sandbox-test-");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, "bus.sock");
    let connections = 0;
    const server = Bun.serve({
      unix: socket,
      fetch: () => {
        connections++;
        return new Response("reached");
      },
    });
    cleanups.push(() => server.stop(true));
    const curl = `curl -sS --max-time 10 --unix-socket ${socket} http://localhost/`;
    const { code, result } = await run([
      ["ws", curl],
      ["net", curl],
      ["ws", `ls -A /run; echo > /run/planted && echo PLANTED`],
      ["net", "cat /etc/resolv.conf > /dev/null && echo RESOLV"],
    ]);
    expect(code).toBe(0);
    for (const id of ["c0", "c1"]) {
      expect(result(id).ok).toBe(false);
      expect(result(id).text).not.toContain("reached");
    }
    expect(connections).toBe(0);
    expect(result("c2").text).not.toContain("agentry-sandbox-test-");
    expect(result("c2").text).toContain("PLANTED");
    expect(() => readFileSync("/run/planted")).toThrow();
    expect(result("c3").text).toContain("RESOLV");
  }, 90_000);

  test("a deny_read glob is refused by the config check: read as a path it would hide nothing", async () => {
    ws = makeSandboxWorkspace();
    writeFileSync(join(ws.dir, "key.pem"), "secret\n");
    const path = join(ws.dir, "agentry.toml");
    writeFileSync(
      path,
      `[tools.ws]\nkind = "shell"\ncwd = "."\nsandbox = "workspace-write"\ndeny_read = ["*.pem", "**/.env", "public.txt"]\n`,
    );
    const result = await runBinary(["validate", "-c", path], { cwd: ws.dir, timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    const said = result.stdout + result.stderr;
    expect(said).toContain("tools.ws.deny_read[0]");
    expect(said).toContain("tools.ws.deny_read[1]");
    expect(said).not.toContain("tools.ws.deny_read[2]");
    expect(said).toContain("deny_read takes paths, not globs: this entry would hide nothing");
  }, 60_000);
});
