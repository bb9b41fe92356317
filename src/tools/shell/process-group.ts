import { readProcTable } from "./proc-table.ts";

/**
 * Whether a process group still has a running member. `kill(-pgid, 0)` alone also counts zombies,
 * which an init that does not reap (common in containers) leaves around indefinitely, so on Linux
 * the members are confirmed through `/proc`.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  return readProcTable().some((entry) => entry.state !== "Z" && entry.pgid === pgid);
}

/** Sends a signal to every member of a process group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is already gone */
  }
}
