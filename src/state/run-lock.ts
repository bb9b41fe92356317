import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { UsageError } from "../spec/errors.ts";

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the exclusive lock file `path`, holding this process's pid, host and a random nonce;
 * created atomically (temporary file + hard link), so a holder's lock is never half written.
 * A lock left by a dead process on this host (found by pid liveness) is taken over; a lock of a
 * live process, or of another host, is a usage error naming it. Returns the release function,
 * which removes the lock only while it is still ours.
 */
export function acquireLock(
  path: string,
  what: string,
  alive: (pid: number) => boolean = processAlive,
): () => void {
  const me: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString("hex") };
  const mine = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path, mine)) return () => releaseIfMine(path, mine);
    const text = readIfExists(path);
    if (text === undefined) continue;
    const owner = parseOwner(text);
    if (owner && (owner.host !== me.host || alive(owner.pid))) {
      throw new UsageError(`${what} is in use by process ${owner.pid} on ${owner.host} (lock ${path})`, {
        hint: "wait for that process to finish",
      });
    }
    takeOver(path, text);
  }
  throw new UsageError(`${what} is in use by another process (lock ${path})`, { hint: "try again" });
}

function tryCreate(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
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
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString("hex")}`;
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
      return { pid: value.pid, host: value.host, nonce: value.nonce };
    }
  } catch {
    // fall through: not a lock this version wrote
  }
  return undefined;
}
