import type { RuntimeMounts } from "./runtime-dirs.ts";
import type { SandboxNetwork } from "./sandbox-policy.ts";
import { PRIVATE_TMP, type SandboxMounts } from "./verify-mounts.ts";

/** Everything `bwrapArgs` turns into a command line. */
export interface BwrapPlan {
  mounts: SandboxMounts;
  cwd: string;
  network: SandboxNetwork;
  /** The host's runtime directories to hide (`runtimeMounts()`); none when absent. */
  runtime?: RuntimeMounts;
  /** The descriptor bwrap reports its status on (JSON documents; `exit-code` once the command ran). */
  statusFd?: number;
  /** Mount arguments added after all others: the network proxy's socket (`ProxyAttachment.bwrapArgs`). */
  extraArgs?: readonly string[];
}

/**
 * The bubblewrap arguments of one launch, before `--` and the command. Order matters, later mounts
 * cover earlier ones: the read-only root, fresh /dev, /proc (of the new PID namespace, its kernel
 * settings read-only) and /tmp, an empty /run (the host's daemon sockets hidden, resolv.conf bound
 * back), then the writable roots, the directories that hold protected paths inside them bound onto
 * themselves (a mount point cannot be renamed), then read-only paths inside them, then the denied
 * paths (an empty tmpfs with mode 000 over a directory, /dev/null — unopenable on a nodev bind —
 * over anything else), so a denied path inside a writable root stays hidden. All capabilities are
 * dropped, so a process running as root cannot undo a mount.
 */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = [
    "--die-with-parent",
    "--new-session",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    ...(plan.network.kind === "host" ? [] : ["--unshare-net"]),
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    // bwrap means to cover /proc/sys but skips it when run as root (access() says EACCES on the
    // directory): root without capabilities could then set kernel.core_pattern to a pipe, and the
    // kernel would run that program as root outside the sandbox on the next crash.
    "--ro-bind",
    "/proc/sys",
    "/proc/sys",
    "--tmpfs",
    PRIVATE_TMP,
  ];
  for (const path of plan.runtime?.hide ?? []) args.push("--tmpfs", path);
  for (const path of plan.runtime?.keep ?? []) args.push("--ro-bind", path, path);
  for (const path of plan.mounts.writable) args.push("--bind", path, path);
  for (const path of plan.mounts.pinned) args.push("--bind", path, path);
  for (const path of plan.mounts.readOnly) args.push("--ro-bind", path, path);
  for (const path of plan.mounts.hideDirs) args.push("--perms", "0000", "--tmpfs", path);
  for (const path of plan.mounts.hideFiles) args.push("--ro-bind", "/dev/null", path);
  args.push(...(plan.extraArgs ?? []));
  args.push("--chdir", plan.cwd);
  if (plan.statusFd !== undefined) args.push("--json-status-fd", String(plan.statusFd));
  return args;
}

/**
 * Whether bwrap started the command, from what it wrote on its status descriptor: it writes an
 * `exit-code` document only once the command ran and ended; a failed setup (no namespaces, a
 * mount refused) writes none. Only meaningful when bwrap exited by itself (not killed).
 */
export function bwrapRanCommand(status: string): boolean {
  return /"exit-code"\s*:\s*-?\d+/.test(status);
}
