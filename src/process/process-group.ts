import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { readProcTable } from "./proc-table.ts";

const IS_WINDOWS = process.platform === "win32";
const POLL_MS = 25;

/**
 * Waits between checks after SIGTERM: 1, 2, 4, 8, 16 ms, then every `POLL_MS`. A tree that is
 * merely finishing its exit (a sandbox's PID-namespace init outliving bubblewrap by a moment) is
 * seen gone within a few milliseconds instead of a whole poll (`scripts/bench/sandbox-overhead.ts`:
 * the median sandboxed call lost 25 ms here about half the time).
 */
function termPollDelay(step: number): number {
  return Math.min(POLL_MS, 2 ** step);
}

/**
 * What a tracker knows of a process tree, descendants that left the group or session included
 * (see `ProcessTracker` in `src/tools/shell`). Given to `killProcessTree`, it decides whether
 * anything is still alive and receives every signal the group gets.
 */
export interface TrackedMembers {
  /** Whether any tracked process is still running (zombies do not count). */
  alive(): boolean;
  /** Sends a signal to every tracked process, synchronously. */
  signal(signal: NodeJS.Signals): void;
}

/** Whether any process (zombies included) is still in process group `pgid`: one cheap syscall. */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process group still has a running member. `kill(-pgid, 0)` alone also counts zombies,
 * which an init that does not reap (common in containers) leaves around indefinitely, so on Linux
 * the members are confirmed through `/proc`.
 */
export function groupAlive(pgid: number): boolean {
  if (!groupExists(pgid)) return false;
  if (process.platform !== "linux") return true;
  return readProcTable().some((entry) => entry.state !== "Z" && entry.pgid === pgid);
}

/**
 * Sends a signal to every member of the process group `pgid` leads; a group that is already gone
 * is fine. Windows has no process groups: there the leader alone is signalled.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(IS_WINDOWS ? pgid : -pgid, signal);
  } catch {
    /* the group is already gone */
  }
}

/**
 * Ends a whole process tree: the process group `pid` leads and every tracked member get SIGTERM,
 * then SIGKILL if anything is still alive after `graceMs`. Resolves once all are gone (or a second
 * grace period has passed after SIGKILL). On Windows, `taskkill /T /F` ends the tree.
 */
export async function killProcessTree(pid: number, graceMs: number, tracked?: TrackedMembers): Promise<void> {
  if (IS_WINDOWS) {
    await execa("taskkill", ["/pid", String(pid), "/T", "/F"], { reject: false, windowsHide: true });
    return;
  }
  const alive = () => (tracked ? tracked.alive() : groupAlive(pid));
  const signal = (name: NodeJS.Signals) => {
    signalGroup(pid, name);
    tracked?.signal(name);
  };
  if (!alive()) return;
  signal("SIGTERM");
  for (let waited = 0, step = 0; waited < graceMs; step++) {
    const delay = termPollDelay(step);
    await sleep(delay);
    waited += delay;
    if (!alive()) return;
  }
  signal("SIGKILL");
  for (let waited = 0; waited < graceMs && alive(); waited += POLL_MS) {
    await sleep(POLL_MS);
    signal("SIGKILL");
  }
}
