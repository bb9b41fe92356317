import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock, acquireLockWaiting, processAlive, processStart } from "../../src/state/run-lock.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentry-lock-"));
  dirs.push(dir);
  return join(dir, "run.json.lock");
}

const owner = (pid: number, host = hostname()) => JSON.stringify({ pid, host, nonce: "0011223344556677" });

test("the lock names its holder and is released only by it", () => {
  const path = lockPath();
  const release = acquireLock(path, "run r1");
  expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
  expect(() => acquireLock(path, "run r1")).toThrow(`run r1 is in use by process ${process.pid}`);
  release();
  expect(existsSync(path)).toBe(false);
});

test("a lock of a dead process on this host is taken over", () => {
  const path = lockPath();
  writeFileSync(path, owner(999_999));
  const release = acquireLock(path, "run r1", () => false);
  expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
  release();
});

test("an empty lock left by an older agentry is stale", () => {
  const path = lockPath();
  writeFileSync(path, "");
  acquireLock(path, "run r1", () => true)();
  expect(existsSync(path)).toBe(false);
});

test("a live holder, or a holder on another host, keeps the lock", () => {
  const path = lockPath();
  writeFileSync(path, owner(4242));
  expect(() => acquireLock(path, "run r1", () => true)).toThrow("in use by process 4242");
  writeFileSync(path, owner(4242, "elsewhere.example"));
  expect(() => acquireLock(path, "run r1", () => false)).toThrow("on elsewhere.example");
  expect(readFileSync(path, "utf8")).toBe(owner(4242, "elsewhere.example"));
});

test("releasing after someone else took the lock over leaves their lock alone", () => {
  const path = lockPath();
  const release = acquireLock(path, "run r1");
  writeFileSync(path, owner(4242));
  release();
  expect(readFileSync(path, "utf8")).toBe(owner(4242));
});

test("a lock naming a live pid that started at another time (a reused pid) is stale", () => {
  const path = lockPath();
  const started = processStart(process.pid);
  if (started === undefined) return;
  writeFileSync(
    path,
    JSON.stringify({ pid: process.pid, host: hostname(), nonce: "00", started: `${started}1` }),
  );
  expect(processAlive(process.pid, `${started}1`)).toBe(false);
  expect(processAlive(process.pid, started)).toBe(true);
  acquireLock(path, "run r1")();
  expect(existsSync(path)).toBe(false);
});

test("a waiting acquire tries again while the holder lives, and takes the lock once it is gone", () => {
  const path = lockPath();
  writeFileSync(path, owner(4242));
  let checks = 0;
  const release = acquireLockWaiting(path, "decisions on run r1", 60_000, () => ++checks < 4);
  expect(checks).toBe(4);
  expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
  release();
});

test("a waiting acquire gives up after its wait with the holder named", () => {
  const path = lockPath();
  writeFileSync(path, owner(4242));
  expect(() => acquireLockWaiting(path, "decisions on run r1", 20, () => true)).toThrow(
    "decisions on run r1 is in use by process 4242",
  );
  expect(readFileSync(path, "utf8")).toBe(owner(4242));
});
