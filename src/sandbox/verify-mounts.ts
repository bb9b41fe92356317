import { realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { isExecutableFile } from "../process/executable-file.ts";
import type { SandboxHost } from "./host.ts";
import { isWithin, locate, type SandboxPolicy } from "./sandbox-policy.ts";
import { KERNEL_DIRS, overlappedSystemDir } from "./system-dirs.ts";

/** What one launch mounts, checked against the file system just before it starts. */
export interface SandboxMounts {
  /** Writable roots (real paths). */
  writable: string[];
  /**
   * Read-only binds over the writable roots and the private /tmp: paths inside writable roots that
   * stay read-only (`.git`, the configuration files, agentry's executable) and, bound back from the
   * host's /tmp, agentry's own files, the program the launch runs and a read-only sandbox's
   * working directory.
   */
  readOnly: string[];
  /**
   * Directories between a writable root and a protected path inside it (a read-only or a denied
   * one), each bound onto itself, parents first. A mount point cannot be renamed or removed from
   * inside (EBUSY), so the command cannot move a protected path away by renaming its parent and
   * put its own file in its place, which agentry, outside the sandbox, would then load (a config
   * file, its executable) or write to (the state dir, the audit log).
   */
  pinned: string[];
  /** Denied directories (real paths), each covered by an empty, inaccessible tmpfs. */
  hideDirs: string[];
  /** Denied files, sockets and devices (real paths), each covered by an inaccessible node. */
  hideFiles: string[];
}

/** Kept read-only inside every writable root: git runs its hooks and config outside the sandbox later. */
const PROTECTED_NAMES = [".git"] as const;

/** The directory every sandbox covers with a fresh, private tmpfs (`bwrapArgs`). */
export const PRIVATE_TMP = "/tmp";

/** What one launch adds to the checks: where it runs what. */
export interface LaunchPaths {
  /**
   * The kernel's file systems, and on Linux the runtime directories the sandbox hides, that no
   * writable root may overlap (`overlappedSystemDir`); `KERNEL_DIRS` when absent.
   */
  systemDirs?: readonly string[];
  /** The program the launch executes (absolute), seen inside even when it lies in the host's /tmp. */
  program?: string;
}

/**
 * The mounts of one launch, or why the sandbox cannot be trusted now. A writable root must still
 * be where it was when the sandbox was created (a root that became a symlink would make its
 * target writable); a denied path that existed then must still be the same file (a sandboxed
 * command may have moved its parent away so that it would no longer be hidden). No writable root
 * may overlap `launch.systemDirs`: binding it would put the host's back (`overlappedSystemDir`).
 */
export function verifyMounts(
  policy: SandboxPolicy,
  host: Pick<SandboxHost, "readOnly">,
  launch: LaunchPaths = {},
): { ok: true; mounts: SandboxMounts } | { ok: false; reason: string } {
  const systemDirs = launch.systemDirs ?? KERNEL_DIRS;
  const writable: string[] = [];
  for (const root of policy.writable) {
    let real: string;
    try {
      real = realpathSync(root);
    } catch {
      continue;
    }
    if (real !== root) {
      return { ok: false, reason: `the writable path ${root} now leads to ${real}; it changed after start` };
    }
    const system = overlappedSystemDir(root, systemDirs);
    if (system !== undefined) {
      return {
        ok: false,
        reason: `the writable path ${root} overlaps ${system}: binding it would expose the host's ${system} inside the sandbox, writable`,
      };
    }
    writable.push(root);
  }
  const hidden = new Map<string, boolean>();
  for (const path of policy.denyRead) {
    const now = locate(path);
    const pinned = policy.pinnedDeny.get(path);
    if (pinned && (!now || now.id.dev !== pinned.id.dev || now.id.ino !== pinned.id.ino)) {
      return {
        ok: false,
        reason: `the denied path ${path} was moved or replaced after start, so it can no longer be hidden`,
      };
    }
    if (now) hidden.set(now.real, isDirectory(now.real));
  }
  const readOnly = new Set<string>();
  const guarded = [
    ...policy.workspaces.flatMap((dir) => PROTECTED_NAMES.map((name) => join(dir, name))),
    ...host.readOnly,
  ];
  for (const path of guarded) {
    const found = locate(path);
    if (found && writable.some((root) => isWithin(found.real, root) && found.real !== root))
      readOnly.add(found.real);
  }
  // The host's read-only paths (agentry's executable, the configuration files) are visible
  // everywhere else through the read-only root, but the private /tmp would hide those under /tmp
  // (a binary copied there): agentry re-executes itself inside the sandbox (the network bridge,
  // `sandbox check`'s probe), so they are bound back, read-only. So are the program the launch
  // runs (an executable file, nothing else of the host's /tmp) and, in a read-only sandbox, its
  // working directory, which are readable there by definition.
  const program =
    launch.program !== undefined && isAbsolute(launch.program) && isExecutableFile(launch.program)
      ? [launch.program]
      : [];
  const workingDir = policy.mode === "read-only" ? [policy.cwd] : [];
  for (const path of [...host.readOnly, ...program, ...workingDir]) {
    const found = locate(path);
    if (found && isWithin(found.real, PRIVATE_TMP) && !writable.some((root) => isWithin(found.real, root)))
      readOnly.add(found.real);
  }
  const denied = [...hidden.keys()].sort((a, b) => a.length - b.length);
  const outer = denied.filter(
    (path, i) => !denied.slice(0, i).some((dir) => hidden.get(dir) && isWithin(path, dir)),
  );
  return {
    ok: true,
    mounts: {
      writable,
      pinned: parentsInside([...readOnly, ...outer], writable),
      readOnly: [...readOnly],
      hideDirs: outer.filter((path) => hidden.get(path)),
      hideFiles: outer.filter((path) => !hidden.get(path)),
    },
  };
}

/** The directories strictly between each path and the writable root holding it, parents first. */
function parentsInside(paths: readonly string[], roots: readonly string[]): string[] {
  const parents = new Set<string>();
  for (const path of paths) {
    const root = roots.find((dir) => isWithin(path, dir) && path !== dir);
    if (root === undefined) continue;
    for (let dir = dirname(path); dir !== root && isWithin(dir, root); dir = dirname(dir)) parents.add(dir);
  }
  return [...parents].sort((a, b) => a.length - b.length || a.localeCompare(b));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
