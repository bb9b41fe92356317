import { readdirSync, readFileSync } from "node:fs";

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
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && Number(fields[2]) === pgid) return true;
    } catch {
      /* the process ended while we looked */
    }
  }
  return false;
}

/** Sends a signal to every member of a process group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is already gone */
  }
}
