import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sandboxHostOf } from "../../src/sandbox/host.ts";
import { proxySocketRoot } from "../../src/sandbox/network/socket-dir.ts";
import { sandboxPolicy } from "../../src/sandbox/sandbox-policy.ts";
import { verifyMounts } from "../../src/sandbox/verify-mounts.ts";

let dir: string | undefined;
const savedTmpdir = process.env["TMPDIR"];
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env["TMPDIR"];
  else process.env["TMPDIR"] = savedTmpdir;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("sandboxHostOf", () => {
  test("every sandbox hides the proxy socket root, also when TMPDIR lies outside /tmp and /run", () => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-host-"));
    // A TMPDIR outside the private /tmp: without the root in the deny list, a network = "none"
    // sandbox could connect to another launch's live proxy socket and reach its allowed hosts.
    process.env["TMPDIR"] = join(dir, "var-tmp");
    const root = proxySocketRoot();
    mkdirSync(join(root, "p-live"), { recursive: true, mode: 0o700 });
    const work = join(dir, "work");
    mkdirSync(work);
    const host = sandboxHostOf({ HOME: join(dir, "home") }, { stateDir: join(dir, "state") });
    expect(host.agentryPaths).toContain(root);
    const policy = sandboxPolicy({ sandbox: "workspace-write", network: "none" }, work, host);
    const verified = policy && verifyMounts(policy, host);
    expect(verified && verified.ok && verified.mounts.hideDirs).toContain(root);
  });

  test("agentry's own executable stays read-only when it lies in a writable root", () => {
    // A dist/agentry inside the workspace: a sandboxed command that rewrote it would run its code
    // outside the sandbox at the next CI step.
    const executable = realpathSync(process.execPath);
    const host = sandboxHostOf({ HOME: "/nonexistent-home" }, { stateDir: "/nonexistent-state" });
    expect(host.agentryPaths[0]).toBe("/nonexistent-state");
    const policy = sandboxPolicy({ sandbox: "workspace-write" }, dirname(executable), host);
    const verified = policy && verifyMounts(policy, host);
    expect(verified && verified.ok && verified.mounts.readOnly).toContain(executable);
  });

  test("a read-only host path under the private /tmp (agentry copied there) is bound back, read-only", () => {
    // agentry re-executes itself inside the sandbox (network bridge, `sandbox check`'s probe);
    // under a fresh /tmp a binary in /tmp would not be there to run.
    dir = mkdtempSync("/tmp/sandbox-host-exe-");
    const executable = join(dir, "agentry");
    writeFileSync(executable, "");
    const work = mkdtempSync("/var/tmp/sandbox-host-work-");
    try {
      const host = { ...sandboxHostOf({ HOME: "/nonexistent-home" }), readOnly: [executable] };
      const policy = sandboxPolicy({ sandbox: "workspace-write" }, work, host);
      const verified = policy && verifyMounts(policy, host);
      expect(verified?.ok && verified.mounts.readOnly).toEqual([realpathSync(executable)]);
      expect(verified?.ok && verified.mounts.writable).not.toContain(dir);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
