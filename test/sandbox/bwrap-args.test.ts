import { describe, expect, test } from "bun:test";
import { bwrapArgs, bwrapRanCommand } from "../../src/sandbox/bwrap-args.ts";

const mounts = {
  writable: ["/w"],
  pinned: ["/w/sub"],
  readOnly: ["/w/.git"],
  hideDirs: ["/home/u/.ssh"],
  hideFiles: ["/w/secret.txt"],
};

describe("bwrapArgs", () => {
  test("namespaces, dropped capabilities, read-only root and /proc/sys, an empty /run, then writable, pinned, read-only and hidden paths in that order", () => {
    const runtime = { hide: ["/run"], keep: ["/run/systemd/resolve/stub-resolv.conf"] };
    const args = bwrapArgs({ mounts, cwd: "/w", network: { kind: "none" }, runtime, statusFd: 3 });
    expect(args).toEqual([
      "--die-with-parent",
      "--new-session",
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--unshare-net",
      "--cap-drop",
      "ALL",
      "--ro-bind",
      "/",
      "/",
      "--dev",
      "/dev",
      "--proc",
      "/proc",
      "--ro-bind",
      "/proc/sys",
      "/proc/sys",
      "--tmpfs",
      "/tmp",
      "--tmpfs",
      "/run",
      "--ro-bind",
      "/run/systemd/resolve/stub-resolv.conf",
      "/run/systemd/resolve/stub-resolv.conf",
      "--bind",
      "/w",
      "/w",
      "--bind",
      "/w/sub",
      "/w/sub",
      "--ro-bind",
      "/w/.git",
      "/w/.git",
      "--perms",
      "0000",
      "--tmpfs",
      "/home/u/.ssh",
      "--ro-bind",
      "/dev/null",
      "/w/secret.txt",
      "--chdir",
      "/w",
      "--json-status-fd",
      "3",
    ]);
  });

  test("the host network keeps the network namespace; no status descriptor when none is asked for", () => {
    const args = bwrapArgs({ mounts, cwd: "/w", network: { kind: "host" } });
    expect(args).not.toContain("--unshare-net");
    expect(args).not.toContain("--json-status-fd");
    expect(
      bwrapArgs({ mounts, cwd: "/w", network: { kind: "proxy", allow: ["a.b"], allowPrivate: [] } }),
    ).toContain("--unshare-net");
  });

  test("the network proxy's mounts come last, after the private /tmp and the hidden paths", () => {
    const args = bwrapArgs({
      mounts,
      cwd: "/w",
      network: { kind: "proxy", allow: ["a.b"], allowPrivate: [] },
      extraArgs: [
        "--tmpfs",
        "/tmp/agentry-net-0",
        "--ro-bind",
        "/tmp/agentry-net-0/p-1/s",
        "/tmp/agentry-net-0/proxy.sock",
      ],
    });
    const at = args.indexOf("/tmp/agentry-net-0") - 1;
    expect(args.slice(at, at + 5)).toEqual([
      "--tmpfs",
      "/tmp/agentry-net-0",
      "--ro-bind",
      "/tmp/agentry-net-0/p-1/s",
      "/tmp/agentry-net-0/proxy.sock",
    ]);
    expect(args.lastIndexOf("--tmpfs")).toBe(at);
    expect(args.indexOf("/tmp")).toBeLessThan(at);
    expect(args[at + 5]).toBe("--chdir");
  });
});

describe("bwrapRanCommand", () => {
  test("only an exit-code document means the command ran", () => {
    expect(bwrapRanCommand('{ "child-pid": 12, "mnt-namespace": 4 }\n{ "exit-code": 1 }\n')).toBe(true);
    expect(bwrapRanCommand('{ "child-pid": 12, "mnt-namespace": 4 }\n')).toBe(false);
    expect(bwrapRanCommand("")).toBe(false);
  });
});
