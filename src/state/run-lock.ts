import { linkSync, readFileSync, readlinkSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { randomHex } from "../digest/random.ts";
import { UsageError } from "../spec/errors.ts";

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
  /** The holder's start time where the OS tells it (Linux `/proc`), so a reused pid is not mistaken for it. */
  started?: string;
  /**
   * The holder's PID namespace (Linux `/proc/self/ns/pid`): a process in another one (a container
   * sharing the state dir and the host name, e.g. with host networking) has a pid that names
   * another process here, or none, so its liveness cannot be judged from here.
   */
  pidns?: string;
}

/**
 * A lock held by a live process (or by one on another host or in another PID namespace, whose
 * liveness cannot be judged from here). A usage error (exit 2) for the CLI; `serve` answers it
 * with 503 and `Retry-After`, since nothing was done and trying again later may succeed.
 */
export class LockBusyError extends UsageError {}

/** This process's PID namespace (Linux), or undefined where unknown. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot (Linux), or undefined where unknown. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether the process that wrote a lock still runs: a process with its pid exists (EPERM: it
 * exists but belongs to someone else) and, where start times are known, started when it did.
 */
export function processAlive(pid: number, started?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = started === undefined ? undefined : processStart(pid);
  return now === undefined || now === started;
}

/**
 * Takes the exclusive lock file `path`, holding this process's pid, host and a random nonce;
 * created atomically (temporary file + hard link), so a holder's lock is never half written.
 * A lock left by a dead process on this host (pid liveness, and on Linux the process start time,
 * so a reused pid does not keep it) is taken over; a lock of a live process, of another host, or
 * of another PID namespace on this host (its pid says nothing here), is a usage error naming it;
 * given `onForeign`, a lock of another host or namespace is taken over instead, after telling
 * `onForeign` whose it was (for a lock that guards against mistakes, not against running a call
 * twice). Returns the release function, which removes the lock only while it is still ours.
 */
export function acquireLock(
  path: string,
  what: string,
  alive: (pid: number, started?: string) => boolean = processAlive,
  onForeign?: (holder: string) => void,
): () => void {
  const started = processStart(process.pid);
  const pidns = pidNamespace();
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    nonce: randomHex(8),
    ...(started ? { started } : {}),
    ...(pidns ? { pidns } : {}),
  };
  const mine = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, mine)) return () => releaseIfMine(path, mine);
    const text = readIfExists(path);
    if (text === undefined) continue;
    const owner = parseOwner(text);
    const elsewhere =
      owner && (owner.host !== me.host || (owner.pidns !== undefined && owner.pidns !== me.pidns));
    const where = owner?.host === me.host && elsewhere ? `${owner.host}, another PID namespace` : owner?.host;
    if (owner && elsewhere && onForeign) {
      onForeign(`process ${owner.pid} on ${where}`);
    } else if (owner && (elsewhere || alive(owner.pid, owner.started))) {
      throw new LockBusyError(`${what} is in use by process ${owner.pid} on ${where} (lock ${path})`, {
        hint: `wait for that process to finish; if it is gone (its machine or container stopped), delete ${path}`,
      });
    }
    takeOver(path, text);
  }
  throw new LockBusyError(`${what} is in use by another process (lock ${path})`, { hint: "try again" });
}

/**
 * `acquireLock` for a critical section of milliseconds: while a live process holds the lock, tries
 * again every few milliseconds, blocking the thread, for up to `waitMs`; then throws
 * `acquireLock`'s `LockBusyError` naming the holder.
 */
export function acquireLockWaiting(
  path: string,
  what: string,
  waitMs: number,
  alive: (pid: number, started?: string) => boolean = processAlive,
): () => void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return acquireLock(path, what, alive);
    } catch (err) {
      if (!(err instanceof LockBusyError) || Date.now() >= deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_RETRY_MS);
    }
  }
}

/** How long `acquireLockWaiting` sleeps between two tries. */
const LOCK_RETRY_MS = 5;

function tryCreate(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${randomHex(6)}.tmp`;
  writeFileSync(temp, content, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Moves a stale lock aside, then checks that what was moved is the stale lock that was judged
 * (another process may have taken it over meanwhile); if not, puts it back.
 */
function takeOver(path: string, stale: string): void {
  const aside = `${path}.stale.${process.pid}.${randomHex(6)}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  if (readIfExists(aside) === stale) {
    rmSync(aside, { force: true });
    return;
  }
  try {
    linkSync(aside, path);
  } catch {
    // Someone holds a newer lock; the moved one was theirs or older, and is dropped.
  }
  rmSync(aside, { force: true });
}

function releaseIfMine(path: string, mine: string): void {
  if (readIfExists(path) === mine) rmSync(path, { force: true });
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The owner a lock names; undefined for an unreadable one (an older agentry's empty lock: stale). */
function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === "number" && typeof value.host === "string" && typeof value.nonce === "string") {
      return {
        pid: value.pid,
        host: value.host,
        nonce: value.nonce,
        ...(typeof value.started === "string" ? { started: value.started } : {}),
        ...(typeof value.pidns === "string" ? { pidns: value.pidns } : {}),
      };
    }
  } catch {
    // fall through: not a lock this version wrote
  }
  return undefined;
}
