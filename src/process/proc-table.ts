import { readdirSync, readFileSync } from "node:fs";

/** One process as `/proc/PID/stat` describes it. `start` (boot-relative ticks) tells reused pids apart. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  start: string;
}

/** Reads one process's stat line; undefined when it is gone (or on a system without `/proc`). */
export function readProc(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      state: fields[0] as string,
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      start: fields[19] as string,
    };
  } catch {
    return undefined;
  }
}

/** Every process on the system, read from `/proc`; empty where there is no `/proc`. */
export function readProcTable(): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const entries: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProc(Number(name));
    if (entry) entries.push(entry);
  }
  return entries;
}
