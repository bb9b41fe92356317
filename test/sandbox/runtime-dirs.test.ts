import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeMounts } from "../../src/sandbox/runtime-dirs.ts";

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe("runtimeMounts", () => {
  test("hides each runtime dir once (a link to another counts as it) and keeps a resolv.conf that links inside", () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "agentry-runtime-")));
    const run = join(root, "run");
    mkdirSync(join(run, "systemd", "resolve"), { recursive: true });
    writeFileSync(join(run, "systemd", "resolve", "stub-resolv.conf"), "nameserver 127.0.0.53\n");
    mkdirSync(join(root, "var"));
    symlinkSync(run, join(root, "var", "run"));
    mkdirSync(join(root, "etc"));
    symlinkSync(join(run, "systemd", "resolve", "stub-resolv.conf"), join(root, "etc", "resolv.conf"));
    writeFileSync(join(root, "etc", "hosts"), "127.0.0.1 localhost\n");
    const mounts = runtimeMounts({
      dirs: [run, join(root, "var", "run"), join(root, "missing")],
      links: [join(root, "etc", "resolv.conf"), join(root, "etc", "hosts")],
    });
    expect(mounts).toEqual({ hide: [run], keep: [join(run, "systemd", "resolve", "stub-resolv.conf")] });
  });

  test("a separate /var/run directory is hidden too", () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "agentry-runtime-")));
    mkdirSync(join(root, "run"));
    mkdirSync(join(root, "var-run"));
    const mounts = runtimeMounts({ dirs: [join(root, "run"), join(root, "var-run")], links: [] });
    expect(mounts.hide).toEqual([join(root, "run"), join(root, "var-run")]);
  });
});
