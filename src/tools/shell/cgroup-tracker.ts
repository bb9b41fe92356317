import { randomUUID } from "node:crypto";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { readProc } from "../../process/proc-table.ts";
import { groupAlive } from "../../process/process-group.ts";
import type { ProcessTracker } from "./process-tracker.ts";

/**
 * A cgroup v2 group per tool call, created under agentry's own cgroup where agentry may (root in a
 * container, a delegated systemd unit). The program is started through `/bin/sh`, which moves itself
 * into the group before `exec`, so every descendant is born inside it whatever it does with process
 * groups or sessions; `cgroup.kill` (Linux ≥ 5.14) or a signal to each member ends them all.
 * Returns undefined where cgroup v2 is not mounted or not writable; the caller falls back to `/proc`.
 * Should the program never show up in the group (the move failed), its process group is watched.
 * Groups that agentry processes which are gone left behind are removed first (`removeStaleGroups`).
 */
export function cgroupTracker(): ProcessTracker | undefined {
  const base = ownCgroupDir();
  if (base === undefined) return undefined;
  removeStaleGroups(base);
  const dir = join(base, `agentry-${process.pid}-${randomUUID().slice(0, 8)}`);
  const procs = join(dir, "cgroup.procs");
  try {
    accessSync(join(base, "cgroup.procs"), constants.W_OK);
    mkdirSync(dir);
    accessSync(procs, constants.W_OK);
  } catch {
    removeDir(dir);
    return undefined;
  }
  let root: number | undefined;
  let joined = false;
  const members = (): number[] => {
    try {
      return readFileSync(procs, "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  return {
    wrap: (file, args) => ({
      file: "/bin/sh",
      args: ["-c", '{ echo 0 > "$0"; } 2>/dev/null; exec "$@"', procs, file, ...args],
    }),
    start(pid) {
      root = pid;
    },
    poll() {
      joined ||= root !== undefined && members().includes(root);
    },
    alive() {
      const live = members().filter((pid) => {
        const entry = readProc(pid);
        return entry !== undefined && entry.state !== "Z";
      });
      joined ||= root !== undefined && live.includes(root);
      if (live.length > 0) return true;
      return !joined && root !== undefined && groupAlive(root);
    },
    signal(signal) {
      if (signal === "SIGKILL" && existsSync(join(dir, "cgroup.kill"))) {
        try {
          writeFileSync(join(dir, "cgroup.kill"), "1");
        } catch {
          /* fall through to signalling each member */
        }
      }
      for (const pid of members()) {
        try {
          process.kill(pid, signal);
        } catch {
          /* it ended meanwhile */
        }
      }
    },
    dispose(waitMs = 0) {
      const deadline = Date.now() + waitMs;
      while (!removeDir(dir) && Date.now() < deadline) pause(5);
      if (existsSync(dir)) retryRemoval(dir, RETRY_MS);
    },
  };
}

/** Background retries for a group whose killed members are still exiting. */
const RETRY_MS = [100, 1000, 10_000];

function retryRemoval(dir: string, delays: readonly number[]): void {
  const [delay, ...later] = delays;
  if (delay === undefined) return;
  const timer = setTimeout(() => {
    if (!removeDir(dir)) retryRemoval(dir, later);
  }, delay);
  timer.unref?.();
}

/** A per-call group's name: `agentry-<pid of the agentry process that made it>-<8 hex digits>`. */
const GROUP_NAME = /^agentry-(\d+)-[0-9a-f]{8}$/;

/**
 * Removes the empty per-call groups under `base` whose agentry process no longer runs: an agentry
 * killed with SIGKILL runs no cleanup at all, and one that exits while killed members are still
 * exiting (a double Ctrl-C under load) cannot wait for them. A group of a running process is
 * never touched, and one that still has members cannot be removed (`rmdir` fails), so a call in
 * progress is never disturbed. Costs one directory read per call.
 */
function removeStaleGroups(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = GROUP_NAME.exec(name)?.[1];
    if (pid !== undefined && !processRuns(Number(pid))) removeDir(join(base, name));
  }
}

/** Whether a process with this pid exists (any owner, zombies included). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the group; true when it is gone. */
function removeDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/** Blocks the thread for `ms` (only at exit, where nothing asynchronous runs any more). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** agentry's own cgroup v2 directory, from `/proc/self/cgroup` and the cgroup2 mount. */
function ownCgroupDir(): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const line = readFileSync("/proc/self/cgroup", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("0::"));
    if (line === undefined) return undefined;
    const path = line.slice(3);
    for (const mount of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
      const [left, right] = mount.split(" - ");
      if (!right?.startsWith("cgroup2 ")) continue;
      const fields = (left ?? "").split(" ");
      const root = fields[3] ?? "/";
      const point = fields[4];
      if (point === undefined) continue;
      if (root === "/") return join(point, path);
      if (path === root || path.startsWith(`${root}/`)) return join(point, path.slice(root.length));
    }
  } catch {
    /* no /proc: not Linux as we know it */
  }
  return undefined;
}
