import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, runBinary } from "../support/binary.ts";
import { HAS_BWRAP, makeSandboxWorkspace, type SandboxWorkspace } from "../support/sandbox-workspace.ts";

/** `agentry sandbox check [TOOL]` (issue 19) on the compiled binary with the real bubblewrap. */
const CONFIG = `
[tools.ws]
kind = "shell"
cwd = "."
sandbox = "workspace-write"

[tools.plain]
kind = "shell"

[tools.net]
kind = "shell"
cwd = "."
sandbox = "read-only"
network = "allow"
network_allow = ["example.com"]
`;

/**
 * A `bwrap` that confines nothing: it skips its options and runs the command, reporting an
 * `exit-code` on descriptor 3 like the real one, so agentry believes the sandbox started.
 */
const LEAKY_BWRAP =
  '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done; shift\n"$@"; code=$?\necho "{ \\"exit-code\\": $code }" >&3\nexit $code\n';

let ws: SandboxWorkspace | undefined;
afterEach(() => {
  ws?.remove();
  ws = undefined;
});

function check(workspace: SandboxWorkspace, args: string[], path?: string) {
  writeFileSync(join(workspace.dir, "agentry.toml"), CONFIG);
  return runBinary(["sandbox", "check", ...args], {
    cwd: workspace.dir,
    env: { AGENTRY_STATE_DIR: workspace.stateDir, HOME: workspace.home, ...(path ? { PATH: path } : {}) },
    timeoutMs: 60_000,
  });
}

describe.skipIf(!HAS_BWRAP)("agentry sandbox check", () => {
  test("proves a forbidden write, a denied read (state dir, ~/.ssh) and a network connection fail; exit 0", async () => {
    ws = makeSandboxWorkspace();
    const result = await check(ws, []);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("tool ws: Sandboxed (workspace-write)");
    expect(result.stdout).toMatch(
      /ok {4}a write outside the writable paths fails: \/var\/tmp\/\.agentry-sandbox-check-\w+ \(EROFS\)/,
    );
    expect(result.stdout).toMatch(
      /ok {4}a denied read fails: .*\/state\/sandbox-check-\w+ in the state dir \(EACCES\)/,
    );
    expect(result.stdout).toMatch(/ok {4}a denied read fails: .*\/home\/\.ssh \(EACCES\)/);
    expect(result.stdout).toMatch(/ok {4}a direct network connection fails: 127\.0\.0\.1:\d+ on the host/);
    expect(result.stdout).not.toContain("tool plain");
    expect(result.stdout).toEndWith("every configured protection holds\n");
  }, 90_000);

  test("with network_allow the proxy is tried too: it refuses a tunnel to a destination not in the list (403); exit 0", async () => {
    ws = makeSandboxWorkspace();
    const result = await check(ws, ["net"]);
    expect(result.stdout).toContain("tool net: Sandboxed (read-only)");
    expect(result.stdout).toMatch(/ok {4}a direct network connection fails: 127\.0\.0\.1:\d+ on the host/);
    expect(result.stdout).toMatch(
      /ok {4}the network proxy refuses a destination not in network_allow: 127\.0\.0\.1:\d+ on the host \(HTTP 403\)/,
    );
    expect(result.stdout).toEndWith("every configured protection holds\n");
    expect(result.code).toBe(0);
  }, 90_000);

  test("a launcher that does not confine is caught: every protection FAILs, exit 1, nothing left behind", async () => {
    ws = makeSandboxWorkspace();
    const bin = ws.binDir();
    writeFileSync(join(bin, "bwrap"), LEAKY_BWRAP);
    chmodSync(join(bin, "bwrap"), 0o755);
    const result = await check(ws, ["ws"], `${bin}:/usr/bin:/bin`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL  a write outside the writable paths was not stopped");
    expect(result.stdout).toContain("FAIL  a denied file was readable");
    expect(result.stdout).toContain("FAIL  a denied directory was readable");
    expect(result.stdout).toContain("FAIL  a direct network connection was not stopped");
    expect(result.stdout).toEndWith("a configured protection does not hold\n");
    expect(readdirSync("/var/tmp").filter((name) => name.startsWith(".agentry-sandbox-check-"))).toEqual([]);
    expect(readdirSync(ws.stateDir).filter((name) => name.startsWith("sandbox-check-"))).toEqual([]);
  }, 90_000);

  test("without bwrap the sandbox cannot be enforced: FAIL, exit 1; an unsandboxed or unknown TOOL is a usage error", async () => {
    ws = makeSandboxWorkspace();
    const missing = await check(ws, ["ws"], ws.binDir());
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("FAIL  the sandbox cannot be enforced: bwrap was not found in PATH");
    const plain = await check(ws, ["plain"]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("tool plain has no sandbox");
    const typo = await check(ws, ["wss"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "ws"?');
  }, 90_000);
  test("a binary copied under /tmp (hidden by the sandbox's private /tmp) still runs its probe: exit 0", async () => {
    ws = makeSandboxWorkspace();
    const copyDir = mkdtempSync("/tmp/agentry-copied-");
    try {
      const copy = join(copyDir, "agentry");
      copyFileSync(BINARY, copy);
      chmodSync(copy, 0o755);
      writeFileSync(join(ws.dir, "agentry.toml"), CONFIG);
      const result = await runBinary(["sandbox", "check", "ws"], {
        binary: copy,
        cwd: ws.dir,
        env: { AGENTRY_STATE_DIR: ws.stateDir, HOME: ws.home },
        timeoutMs: 60_000,
      });
      expect(result.stdout).not.toContain("FAIL");
      expect(result.stdout).toContain("every configured protection holds");
      expect(result.code).toBe(0);
    } finally {
      rmSync(copyDir, { recursive: true, force: true });
    }
  });
});
