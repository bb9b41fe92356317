import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { sandboxHostOf } from "../../src/sandbox/host.ts";
import { proxySocketRoot } from "../../src/sandbox/network/socket-dir.ts";
import { sandboxPolicy } from "../../src/sandbox/sandbox-policy.ts";
import { verifyMounts } from "../../src/sandbox/verify-mounts.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function setup() {
  dir = mkdtempSync(join(tmpdir(), "sandbox-mounts-"));
  const home = join(dir, "home");
  const work = join(dir, "work");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  mkdirSync(join(work, ".git"), { recursive: true });
  mkdirSync(join(work, "secrets"));
  writeFileSync(join(work, "secrets", "key"), "k");
  mkdirSync(join(work, "out"));
  mkdirSync(join(dir, "elsewhere"));
  const host = {
    home,
    homes: [home],
    agentryPaths: [join(dir, "state")],
    readOnly: [join(work, "agentry.toml")],
  };
  writeFileSync(join(work, "agentry.toml"), "");
  return { root: dir, home, work, host };
}

describe("sandboxPolicy and verifyMounts", () => {
  test("nested writable paths are covered by their root; .git and config files stay read-only; denied dirs and files are hidden", () => {
    const { home, work, host } = setup();
    const policy = sandboxPolicy(
      { sandbox: "workspace-write", writable: [join(work, "out")], deny_read: ["secrets/key"] },
      work,
      host,
    );
    const verified = policy && verifyMounts(policy, host);
    expect(verified?.ok && verified.mounts).toEqual({
      writable: [work],
      pinned: [join(work, "secrets")],
      readOnly: [join(work, ".git"), join(work, "agentry.toml")],
      hideDirs: [join(home, ".ssh")],
      hideFiles: [join(work, "secrets", "key")],
    });
    expect(sandboxPolicy({ sandbox: "off" }, work, host)).toBeUndefined();
    expect(sandboxPolicy({}, work, host)).toBeUndefined();
  });

  test("every directory between a writable root and a protected path in it is pinned, parents first; none outside", () => {
    const { root, work, host } = setup();
    mkdirSync(join(work, "conf", "agents"), { recursive: true });
    writeFileSync(join(work, "conf", "agents", "a.toml"), "");
    mkdirSync(join(work, ".agentry", "state"), { recursive: true });
    const deeper = {
      ...host,
      agentryPaths: [join(work, ".agentry", "state")],
      readOnly: [...host.readOnly, join(work, "conf", "agents", "a.toml"), join(root, "elsewhere")],
    };
    const policy = sandboxPolicy({ sandbox: "workspace-write" }, work, deeper);
    const verified = policy && verifyMounts(policy, deeper);
    expect(verified?.ok && verified.mounts.pinned).toEqual([
      join(work, "conf"),
      join(work, ".agentry"),
      join(work, "conf", "agents"),
    ]);
    const readOnlySandbox = sandboxPolicy({ sandbox: "read-only" }, work, deeper);
    const readOnly = readOnlySandbox && verifyMounts(readOnlySandbox, deeper);
    expect(readOnly?.ok && readOnly.mounts.pinned).toEqual([]);
  });

  test("a writable root that became a symlink is refused instead of making its target writable", () => {
    const { root, work, host } = setup();
    const out = join(root, "out");
    mkdirSync(out);
    const policy = sandboxPolicy({ sandbox: "workspace-write", writable: [out] }, work, host);
    if (!policy) throw new Error("no policy");
    expect(verifyMounts(policy, host).ok).toBe(true);
    rmSync(out, { recursive: true });
    symlinkSync(join(root, "elsewhere"), out);
    const verified = verifyMounts(policy, host);
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.reason).toContain("now leads to");
  });

  test("a denied path moved away (its parent renamed by a sandboxed command) is refused, not left visible", () => {
    const { work, host } = setup();
    const policy = sandboxPolicy({ sandbox: "workspace-write", deny_read: ["secrets/key"] }, work, host);
    if (!policy) throw new Error("no policy");
    renameSync(join(work, "secrets"), join(work, "moved"));
    const verified = verifyMounts(policy, host);
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.reason).toContain("was moved or replaced");
  });

  test("a denied path reached through a symlink is hidden at its real location", () => {
    const { root, home, work, host } = setup();
    writeFileSync(join(root, "elsewhere", "token"), "t");
    symlinkSync(join(root, "elsewhere", "token"), join(home, ".netrc"));
    const policy = sandboxPolicy({ sandbox: "read-only" }, work, host);
    const verified = policy && verifyMounts(policy, host);
    expect(verified?.ok && verified.mounts.hideFiles).toEqual([join(root, "elsewhere", "token")]);
    expect(verified?.ok && verified.mounts.writable).toEqual([]);
  });
});

describe("sandboxHostOf", () => {
  test("a HOME pointing elsewhere still denies the account's own home; the state dir follows SPEC §12", () => {
    const host = sandboxHostOf({ HOME: "/elsewhere", AGENTRY_STATE_DIR: "/state" });
    expect(host.home).toBe("/elsewhere");
    expect(host.homes).toEqual(
      ["/elsewhere", userInfo().homedir].filter((h, i, all) => all.indexOf(h) === i),
    );
    expect(host.agentryPaths).toEqual(["/state", proxySocketRoot()]);
    const policy = sandboxPolicy({ sandbox: "read-only" }, "/", host);
    expect(policy?.denyRead).toContain(join(userInfo().homedir, ".ssh"));
    expect(policy?.denyRead).toContain("/elsewhere/.ssh");
  });
});
