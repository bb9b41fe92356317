import { readProc, readProcTable } from "../../process/proc-table.ts";
import { groupExists, type TrackedMembers } from "../../process/process-group.ts";

/**
 * Finds every process a tool started, including those that left its process group or session
 * (`setsid`, `setpgid`) and those orphaned by a parent that exited. Two implementations: a cgroup
 * v2 group per call where agentry may create one (`cgroup-tracker.ts`: nothing escapes, however
 * fast it forks), else a `/proc` walk (`procTracker`) that follows parent links from the tool's
 * pid and remembers every descendant it has seen, polled often right after the start (when
 * daemons fork) and then less often.
 */
export interface ProcessTracker extends TrackedMembers {
  /** How to start the program so that the tracker sees all of its descendants. */
  wrap(file: string, args: string[]): { file: string; args: string[] };
  /** Called once the root process exists. */
  start(pid: number): void;
  /** Called periodically while the tool runs, so descendants are recorded before they are orphaned. */
  poll(): void;
  /**
   * Releases what the tracker holds (the cgroup directory). `waitMs` (used at exit, after SIGKILL)
   * blocks up to that long for the killed members to finish exiting; otherwise a group that is not
   * empty yet is removed later, in the background.
   */
  dispose(waitMs?: number): void;
}

/**
 * A tracker that walks `/proc`: parent links from the root, and members of the root's process group.
 * When the group is empty and every recorded process has ended, nothing it could still find is
 * left (an orphan that also left the group has no link to follow), so no walk is made.
 */
export function procTracker(): ProcessTracker {
  let root: number | undefined;
  let rootStart: string | undefined;
  const known = new Map<number, string>();
  const scan = () => {
    if (root === undefined) return;
    const table = readProcTable();
    const byPid = new Map(table.map((entry) => [entry.pid, entry]));
    for (const [pid, start] of known) {
      const entry = byPid.get(pid);
      if (!entry || entry.start !== start || entry.state === "Z") known.delete(pid);
    }
    const tracking = known.size > 0 || byPid.get(root)?.start === rootStart;
    let grew = tracking;
    while (grew) {
      grew = false;
      for (const entry of table) {
        if (entry.state === "Z" || known.has(entry.pid)) continue;
        const isRoot = entry.pid === root && entry.start === rootStart;
        if (isRoot || known.has(entry.ppid) || entry.pgid === root) {
          known.set(entry.pid, entry.start);
          grew = true;
        }
      }
    }
  };
  return {
    wrap: (file, args) => ({ file, args }),
    start(pid) {
      root = pid;
      rootStart = readProc(pid)?.start;
      if (rootStart !== undefined) known.set(pid, rootStart);
    },
    poll: scan,
    alive() {
      if (root === undefined) return false;
      if (!groupExists(root) && ![...known].some(([pid, start]) => isRunning(pid, start))) {
        known.clear();
        return false;
      }
      scan();
      return known.size > 0;
    },
    signal(signal) {
      scan();
      for (const [pid, start] of known) {
        if (readProc(pid)?.start !== start) continue;
        try {
          process.kill(pid, signal);
        } catch {
          /* it ended meanwhile */
        }
      }
    },
    dispose() {
      known.clear();
    },
  };
}

function isRunning(pid: number, start: string): boolean {
  const entry = readProc(pid);
  return entry !== undefined && entry.start === start && entry.state !== "Z";
}
