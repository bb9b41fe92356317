import { describe, expect, test } from "bun:test";
import { seatbeltProfile } from "../../src/sandbox/seatbelt-profile.ts";

describe("seatbeltProfile (macOS sandbox-exec)", () => {
  test("denies by default; reads except denied paths; writes only in roots minus their read-only parts; no network", () => {
    const profile = seatbeltProfile({
      writable: ["/Users/u/proj"],
      readOnly: ["/Users/u/proj/.git"],
      denyRead: ["/Users/u/.ssh", '/Users/u/we"ird'],
      network: { kind: "none" },
      tempDirs: ["/private/tmp"],
    });
    expect(profile).toBe(
      [
        "(version 1)",
        "(deny default)",
        "(allow process-exec process-fork)",
        "(allow signal (target same-sandbox))",
        "(allow sysctl-read)",
        '(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo") (global-name "com.apple.system.notification_center") (global-name "com.apple.system.logger") (global-name "com.apple.logd"))',
        "(allow ipc-posix-shm ipc-posix-sem)",
        "(allow pseudo-tty)",
        "(allow file-ioctl)",
        '(allow file-read* (require-all (require-not (subpath "/Users/u/.ssh")) (require-not (subpath "/Users/u/we\\"ird"))))',
        '(allow file-write* (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/stdout") (literal "/dev/stderr") (regex #"^/dev/fd/"))',
        '(allow file-write* (require-all (require-any (subpath "/Users/u/proj") (subpath "/private/tmp")) (require-not (subpath "/Users/u/proj/.git")) (require-not (subpath "/Users/u/.ssh")) (require-not (subpath "/Users/u/we\\"ird"))))',
        "",
      ].join("\n"),
    );
  });

  test("read-only has no writable roots; the host network is allowed only when asked for", () => {
    const profile = seatbeltProfile({
      writable: [],
      readOnly: [],
      denyRead: [],
      network: { kind: "host" },
      tempDirs: [],
    });
    expect(profile).toContain("(allow file-read*)\n");
    expect(profile).not.toContain("(require-all (require-any");
    expect(profile).toContain("(allow network*)");
    expect(
      seatbeltProfile({ writable: [], readOnly: [], denyRead: [], network: { kind: "none" }, tempDirs: [] }),
    ).not.toContain("network");
  });
});
