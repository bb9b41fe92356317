import { afterEach, describe, expect, test } from "bun:test";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, symlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../support/binary.ts";
import { type ScriptedAgent, scriptedAgent } from "../support/scripted-agent.ts";

let agent: ScriptedAgent | undefined;
let flipper: ChildProcess | undefined;
afterEach(async () => {
  flipper?.kill("SIGKILL");
  flipper = undefined;
  await agent?.close();
  agent = undefined;
});

const FILES = (root: string, extra = "") =>
  `[tools.files]\nkind = "file"\nroot = "${root}"\nwrite = true\n${extra}`;
const read = (id: string, path: string, more: Record<string, unknown> = {}) => ({
  id,
  name: "files",
  arguments: { op: "read", path, ...more },
});

describe("file tool on the compiled binary (issue 11 items 4, 6, 9)", () => {
  test("item 4: a write through a dangling symlink creates nothing outside the root", async () => {
    agent = await scriptedAgent(
      FILES("./root"),
      ["files"],
      [
        { id: "w1", name: "files", arguments: { op: "write", path: "dangling", content: "pwned" } },
        { id: "w2", name: "files", arguments: { op: "write", path: "sub/dangling", content: "pwned" } },
        { id: "w3", name: "files", arguments: { op: "write", path: "fresh/new.txt", content: "ok" } },
      ],
    );
    const dir = agent.ws.dir;
    mkdirSync(join(dir, "root", "sub"), { recursive: true });
    symlinkSync(join(dir, "escaped.txt"), join(dir, "root", "dangling"));
    symlinkSync("../../escaped-2.txt", join(dir, "root", "sub", "dangling"));
    const run = await agent.run();
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, "escaped.txt"))).toBe(false);
    expect(existsSync(join(dir, "escaped-2.txt"))).toBe(false);
    expect(run.results.get("w1")).toMatchObject({ ok: false });
    expect(String(run.results.get("w1")?.error)).toContain("symlink");
    expect(run.results.get("w2")).toMatchObject({ ok: false });
    expect(run.results.get("w3")?.ok).toBe(true);
    expect(String(run.results.get("w3")?.output)).toContain("\nwrote 2 bytes to fresh/new.txt\n");
  }, 30_000);

  test("item 4: swapping a directory for a symlink during 3000 reads never leaks the outside file", async () => {
    const turns = Array.from({ length: 60 }, (_, t) =>
      Array.from({ length: 50 }, (_, i) => read(`r${t}-${i}`, "d/f.txt", { limit: t * 50 + i + 1 })),
    );
    agent = await scriptedAgent(FILES("./root"), ["files"], turns);
    const dir = agent.ws.dir;
    mkdirSync(join(dir, "root", "real-d"), { recursive: true });
    mkdirSync(join(dir, "outside"));
    agent.ws.write("root/real-d/f.txt", "inside");
    agent.ws.write("outside/f.txt", "OUTSIDE-SECRET");
    symlinkSync(join(dir, "outside"), join(dir, "root", "link-d"));
    const script = `const fs = require("node:fs"); const r = ${JSON.stringify(join(dir, "root"))};
      for (;;) { for (const n of ["real-d", "link-d"]) { try { fs.renameSync(r + "/" + n, r + "/d"); fs.renameSync(r + "/d", r + "/" + n); } catch {} } }`;
    flipper = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
    const run = await agent.run({ timeoutMs: 90_000 });
    const outputs = [...run.results.values()].map((r) => `${r.output ?? ""}${r.error ?? ""}`);
    expect(outputs.filter((text) => text.includes("OUTSIDE-SECRET"))).toEqual([]);
    expect(outputs).toHaveLength(3000);
    expect(outputs.some((text) => text.includes("inside"))).toBe(true);
    expect(run.code).toBe(0);
  }, 120_000);

  test("item 6: a FIFO and a device are refused at once; the run ends normally", async () => {
    agent = await scriptedAgent(
      FILES("./root"),
      ["files"],
      [
        read("fifo", "pipe"),
        { id: "fifo-w", name: "files", arguments: { op: "write", path: "pipe", content: "x" } },
        read("dev", "zero"),
        { id: "search", name: "files", arguments: { op: "search", path: ".", pattern: "anything" } },
      ],
    );
    const rootDir = join(agent.ws.dir, "root");
    mkdirSync(rootDir);
    execFileSync("mkfifo", [join(rootDir, "pipe")]);
    symlinkSync("/dev/zero", join(rootDir, "zero"));
    const run = await agent.run({ timeoutMs: 15_000 });
    expect(run.code).toBe(0);
    expect(run.results.get("fifo")).toMatchObject({
      ok: false,
      error: "pipe is a named pipe (FIFO), not a regular file",
    });
    expect(String(run.results.get("fifo-w")?.error)).toStartWith("pipe is a named pipe (FIFO)");
    expect(String(run.results.get("dev")?.error)).toContain("outside the tool's root");
    expect(run.results.get("search")?.ok).toBe(true);
    expect(String(run.results.get("search")?.output)).toContain("\nno matches\n");
  }, 30_000);

  test("review 7: a search whose regular expression backtracks catastrophically stops at the tool timeout", async () => {
    agent = await scriptedAgent(
      `${FILES("./root")}\n[defaults.policy]\ntool_timeout = "2s"\n`,
      ["files"],
      [{ id: "redos", name: "files", arguments: { op: "search", path: ".", pattern: "/(a+)+$/" } }],
    );
    mkdirSync(join(agent.ws.dir, "root"));
    // 90 000 lines of about a second each: without pauses the search would hold the process a day
    agent.ws.write("root/evil.txt", `${"a".repeat(40)}!\n`.repeat(90_000));
    const run = await agent.run({ timeoutMs: 90_000 });
    expect(run.code).toBe(0);
    expect(run.results.get("redos")).toMatchObject({ ok: false, stopped_by: "timeout" });
  }, 120_000);

  test("review 7: a FIFO is refused without being opened, so no writer or reader waiting on it is woken", async () => {
    agent = await scriptedAgent(
      FILES("./root"),
      ["files"],
      [
        read("fifo-r", "to-read"),
        { id: "fifo-w", name: "files", arguments: { op: "write", path: "to-write", content: "x" } },
        { id: "search", name: "files", arguments: { op: "search", path: ".", pattern: "x" } },
      ],
    );
    const rootDir = join(agent.ws.dir, "root");
    mkdirSync(rootDir);
    execFileSync("mkfifo", [join(rootDir, "to-read"), join(rootDir, "to-write")]);
    // each waits in open() for a partner; an open by the tool would release it and make its marker
    const waiters = [
      spawn("sh", ["-c", "exec 3>root/to-read; touch released-by-read"], {
        cwd: agent.ws.dir,
        stdio: "ignore",
      }),
      spawn("sh", ["-c", "exec 3<root/to-write; touch released-by-write"], {
        cwd: agent.ws.dir,
        stdio: "ignore",
      }),
    ];
    try {
      const run = await agent.run({ timeoutMs: 15_000 });
      expect(run.code).toBe(0);
      expect(run.results.get("fifo-r")).toMatchObject({
        ok: false,
        error: "to-read is a named pipe (FIFO), not a regular file",
      });
      expect(String(run.results.get("fifo-w")?.error)).toStartWith("to-write is a named pipe (FIFO)");
      expect(run.results.get("search")?.ok).toBe(true);
      expect(existsSync(join(agent.ws.dir, "released-by-read"))).toBe(false);
      expect(existsSync(join(agent.ws.dir, "released-by-write"))).toBe(false);
    } finally {
      for (const waiter of waiters) waiter.kill("SIGKILL");
    }
  }, 30_000);

  test("item 6: a root holding devices refuses them as non-regular files", async () => {
    agent = await scriptedAgent(FILES("/dev"), ["files"], [read("zero", "zero"), read("null", "null")]);
    const run = await agent.run({ timeoutMs: 15_000 });
    expect(run.code).toBe(0);
    expect(run.results.get("zero")).toMatchObject({
      ok: false,
      error: "zero is a device, not a regular file",
    });
    expect(run.results.get("null")).toMatchObject({
      ok: false,
      error: "null is a device, not a regular file",
    });
  }, 30_000);

  test("item 9: a 600 MB single-line file is read in byte-bounded windows with bounded memory", async () => {
    const size = 600 * 1024 * 1024;
    agent = await scriptedAgent(
      FILES("./root"),
      ["files"],
      [
        read("first", "big.txt"),
        read("second", "big.txt", { byte_offset: 30_718 }),
        read("last", "big.txt", { byte_offset: size - 64 }),
      ],
    );
    mkdirSync(join(agent.ws.dir, "root"));
    const fd = openSync(join(agent.ws.dir, "root", "big.txt"), "w");
    writeSync(fd, Buffer.alloc(1024 * 1024, "a"), 0, 1024 * 1024, 0);
    writeSync(fd, `${"z".repeat(57)}THE-END`, size - 64);
    closeSync(fd);
    const run = await agent.run({
      timeoutMs: 60_000,
      via: ["/usr/bin/time", "-f", "peak-rss-kb=%M", BINARY],
    });
    expect(run.code).toBe(0);
    const first = String(run.results.get("first")?.output);
    expect(first.length).toBeLessThan(32 * 1024);
    expect(first.includes(`\n1\t${"a".repeat(30_718)}\n[... line 1 is longer`)).toBe(true);
    expect(first).toContain(`continues at byte 30718 of ${size}: continue with byte_offset 30718 ...]`);
    const second = String(run.results.get("second")?.output);
    expect(second.includes(`\n${"a".repeat(30_720)}\n[... ${size - 30_718 - 30_720} more bytes follow`)).toBe(
      true,
    );
    const last = String(run.results.get("last")?.output);
    expect(last).toContain(`\n${"z".repeat(57)}THE-END\n</tool_output>`);
    const peak = Number(/peak-rss-kb=(\d+)/.exec(run.stderr)?.[1]);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(300 * 1024);
  }, 90_000);
});
