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

/**
 * A process in a PID namespace of its own with its own /proc (a container sharing the state dir
 * and the host name, e.g. with host networking) that takes the lock, says `held`, and keeps it
 * until its stdin closes.
 */
const HOLDER = `
import { acquireLock } from "${join(import.meta.dir, "../../src/state/run-lock.ts")}";
const release = acquireLock(process.argv[2], "run r1");
process.stdout.write("held " + process.pid + "\\n");
for await (const _ of Bun.stdin.stream()) {}
release();
`;

const canUnshare =
  process.platform === "linux" &&
  Bun.spawnSync(["unshare", "-pf", "--mount-proc", "true"], { stdout: "ignore", stderr: "ignore" })
    .exitCode === 0;

test.skipIf(!canUnshare)(
  "a lock held from another PID namespace on this host is in use: its pid means nothing here",
  async () => {
    const path = lockPath();
    const script = join(path, "..", "holder.ts");
    writeFileSync(script, HOLDER);
    const holder = Bun.spawn(["unshare", "-pf", "--mount-proc", process.execPath, script, path], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = holder.stdout.getReader();
      let said = "";
      while (!said.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the holder ended early: ${await new Response(holder.stderr).text()}`);
        said += new TextDecoder().decode(value);
      }
      expect(said).toBe("held 1\n");
      expect(() => acquireLock(path, "run r1")).toThrow("run r1 is in use by process 1");
      expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(1);
    } finally {
      holder.stdin.end();
      await holder.exited;
    }
    expect(existsSync(path)).toBe(false);
  },
);
