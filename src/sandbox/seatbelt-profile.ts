import type { SandboxNetwork } from "./sandbox-policy.ts";

/** What the macOS profile needs: real paths (`/private/tmp`, not `/tmp`). */
export interface SeatbeltPlan {
  writable: string[];
  /** Paths inside writable roots that stay read-only. */
  readOnly: string[];
  denyRead: string[];
  network: SandboxNetwork;
  /** Extra writable roots of the platform (`/private/tmp`, `$TMPDIR`) in workspace-write. */
  tempDirs: string[];
}

/**
 * The Mach services a sandboxed program may look up: user and group names, logging,
 * notifications. Not the keychain (securityd) or anything else that hands out secrets.
 */
const MACH_SERVICES = [
  "com.apple.system.opendirectoryd.libinfo",
  "com.apple.system.notification_center",
  "com.apple.system.logger",
  "com.apple.logd",
] as const;

/** A Seatbelt string literal. */
function literal(path: string): string {
  return `"${path.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Matches the path and everything below it (a file is matched by `subpath` too). */
function under(path: string): string {
  return `(subpath ${literal(path)})`;
}

/**
 * The Seatbelt (SBPL) profile `sandbox-exec -p` enforces on macOS: everything denied, then
 * processes, reads outside the denied paths, writes inside the writable roots except their
 * read-only parts, and the network when allowed. Built from `require-all`/`require-not` filters
 * rather than rule order, so precedence between allow and deny rules does not matter. Untested
 * on a Mac in this repository's CI (docs/SANDBOX.md).
 */
export function seatbeltProfile(plan: SeatbeltPlan): string {
  const lines = [
    "(version 1)",
    "(deny default)",
    "(allow process-exec process-fork)",
    "(allow signal (target same-sandbox))",
    "(allow sysctl-read)",
    `(allow mach-lookup ${MACH_SERVICES.map((name) => `(global-name ${literal(name)})`).join(" ")})`,
    "(allow ipc-posix-shm ipc-posix-sem)",
    "(allow pseudo-tty)",
    "(allow file-ioctl)",
  ];
  const readDeny = plan.denyRead.map((path) => `(require-not ${under(path)})`);
  lines.push(
    readDeny.length > 0 ? `(allow file-read* (require-all ${readDeny.join(" ")}))` : "(allow file-read*)",
  );
  const devices = ["/dev/null", "/dev/zero", "/dev/tty", "/dev/stdout", "/dev/stderr"];
  lines.push(
    `(allow file-write* ${devices.map((path) => `(literal ${literal(path)})`).join(" ")} (regex #"^/dev/fd/"))`,
  );
  const roots = [...plan.writable, ...plan.tempDirs];
  if (roots.length > 0) {
    const keep = [...plan.readOnly, ...plan.denyRead].map((path) => `(require-not ${under(path)})`);
    const anyRoot =
      roots.length === 1 ? under(roots[0] as string) : `(require-any ${roots.map(under).join(" ")})`;
    lines.push(`(allow file-write* (require-all ${[anyRoot, ...keep].join(" ")}))`);
  }
  if (plan.network.kind === "host") lines.push("(allow network*)");
  return `${lines.join("\n")}\n`;
}
