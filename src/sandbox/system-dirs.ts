import { isWithin } from "./sandbox-policy.ts";

/**
 * The kernel's file systems, which every sandbox mounts fresh (`/dev`, the `/proc` of its own PID
 * namespace) or read-only (`/proc/sys`, `/sys`).
 */
export const KERNEL_DIRS: readonly string[] = ["/proc", "/sys", "/dev"];

/** The kernel's file systems and the host's runtime directories (hidden in every sandbox), as a config spells them. */
export const SYSTEM_DIRS: readonly string[] = [...KERNEL_DIRS, "/run", "/var/run"];

/**
 * The system directory a writable root overlaps (lies inside or holds), or undefined. Writable
 * roots are bound after the sandbox's own /proc, /dev and empty /run, so such a root would put
 * the host's back, writable: the host's /proc lists every host process, and `/proc/PID/root` of
 * one leads into the host's file system, where no denied path is hidden; `/proc/sys` would be
 * writable (kernel.core_pattern runs a program as root outside); `/sys/fs/cgroup` likewise;
 * `/run` holds the daemons' sockets.
 */
export function overlappedSystemDir(root: string, dirs: readonly string[]): string | undefined {
  return dirs.find((dir) => isWithin(root, dir) || isWithin(dir, root));
}
