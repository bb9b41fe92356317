import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolContext } from "../../src/spec/tool.ts";
import { createFileTool } from "../../src/tools/file/index.ts";
import {
  LOCAL_READ_MAX,
  type LocalRoot,
  LocalRootDir,
  localReadBuffer,
  localRoot,
  openLocalFile,
  readLocalFile,
} from "../../src/tools/file/local-read.ts";

/** The fast path needs /proc/self/fd and a local temporary directory; elsewhere it is off and these tests skip. */
const probe = realpathSync(mkdtempSync(join(tmpdir(), "local-read-probe-")));
const available = localRoot({ path: probe, procFd: existsSync("/proc/self/fd") }) !== undefined;
rmSync(probe, { recursive: true, force: true });
const onLinux = available ? test : test.skip;

let base: string;
let rootPath: string;
let root: LocalRoot;
const ctx: ToolContext = { signal: new AbortController().signal, runId: "r", agent: "a", callId: "c" };

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "local-read-")));
  rootPath = join(base, "root");
  mkdirSync(join(rootPath, "d", "e"), { recursive: true });
  mkdirSync(join(base, "outside"));
  writeFileSync(join(rootPath, "notes.txt"), "alpha\r\nbeta\ngamma\n\ndelta");
  writeFileSync(join(rootPath, "d", "f.txt"), "inside");
  writeFileSync(join(rootPath, "d", "e", "g.txt"), "deep");
  writeFileSync(join(base, "outside", "f.txt"), "OUTSIDE");
  writeFileSync(join(base, "outside", "g.txt"), "OUTSIDE");
  symlinkSync(join(rootPath, "notes.txt"), join(rootPath, "inner-link"));
  symlinkSync(join(rootPath, "d"), join(rootPath, "inner-dir"));
  symlinkSync(join(base, "outside", "f.txt"), join(rootPath, "escape-link"));
  const local = localRoot({ path: rootPath, procFd: existsSync("/proc/self/fd") });
  root = local ?? { path: rootPath, dev: -1 };
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function contentOf(path: string, at: LocalRoot = root): string | undefined {
  const file = openLocalFile(new LocalRootDir(at), path);
  if (!file) return undefined;
  try {
    const buffer = Buffer.alloc(file.size);
    readSync(file.fd, buffer, 0, file.size, 0);
    return buffer.toString("utf8");
  } finally {
    closeSync(file.fd);
  }
}

describe("the file tool's synchronous fast path (local-read.ts)", () => {
  test("is off without /proc/self/fd", () => {
    expect(localRoot({ path: rootPath, procFd: false })).toBeUndefined();
  });

  onLinux("opens a small regular file reached without symlinks, by relative or absolute path", () => {
    expect(contentOf("d/f.txt")).toBe("inside");
    expect(contentOf("d/./e/../e/g.txt")).toBe("deep");
    expect(contentOf(join(rootPath, "d", "f.txt"))).toBe("inside");
    const file = openLocalFile(new LocalRootDir(root), "d/e/g.txt");
    expect(file?.shown).toBe("d/e/g.txt");
    if (file) closeSync(file.fd);
  });

  onLinux("leaves every other case to the general path", () => {
    execFileSync("mkfifo", [join(rootPath, "pipe")]);
    writeFileSync(join(rootPath, "big.txt"), "x".repeat(LOCAL_READ_MAX + 1));
    for (const path of [
      "inner-link",
      "inner-dir/f.txt",
      "escape-link",
      "../outside/f.txt",
      "/etc/hostname",
      "missing.txt",
      "d",
      ".",
      "pipe",
      "big.txt",
    ]) {
      expect([path, contentOf(path)]).toEqual([path, undefined]);
    }
    writeFileSync(join(rootPath, "big.txt"), "x".repeat(LOCAL_READ_MAX));
    expect(contentOf("big.txt")).toHaveLength(LOCAL_READ_MAX);
  });

  onLinux("a file that grew after it was opened is left to the general path", () => {
    const file = openLocalFile(new LocalRootDir(root), "d/f.txt");
    if (!file) throw new Error("not opened");
    try {
      expect(readLocalFile(file, localReadBuffer())?.toString()).toBe("inside");
      writeFileSync(join(rootPath, "d", "f.txt"), "inside, and more");
      expect(readLocalFile(file, localReadBuffer())).toBeUndefined();
    } finally {
      closeSync(file.fd);
    }
  });

  onLinux("a descriptor on another device than the root's is not read", () => {
    expect(contentOf("d/f.txt", { ...root, dev: root.dev + 1 })).toBeUndefined();
  });

  onLinux(
    "the root's descriptor is opened once for the reads of a macrotask and closed when it ends",
    async () => {
      const atRoot = () =>
        readdirSync("/proc/self/fd").filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === rootPath;
          } catch {
            return false;
          }
        }).length;
      const dir = new LocalRootDir(root);
      for (const path of ["d/f.txt", "d/e/g.txt", "notes.txt"]) {
        const file = openLocalFile(dir, path);
        expect(file).toBeDefined();
        if (file) closeSync(file.fd);
        expect(atRoot()).toBe(1);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(atRoot()).toBe(0);
    },
  );

  onLinux("a process started while the root's descriptor is open does not inherit it", () => {
    const file = openLocalFile(new LocalRootDir(root), "d/f.txt");
    if (file) closeSync(file.fd);
    const child = Bun.spawnSync(["sh", "-c", 'for fd in /proc/self/fd/*; do readlink "$fd"; done']);
    expect(child.stdout.toString()).not.toContain(rootPath);
  });

  onLinux("a root swapped for a symlink between two reads of one macrotask is never followed", async () => {
    const tool = createFileTool("files", { kind: "file", root: rootPath });
    writeFileSync(join(rootPath, "f.txt"), "inside");
    expect((await tool.execute({ op: "read", path: "f.txt" }, ctx)).output).toBe("1\tinside");
    renameSync(rootPath, join(base, "root.old"));
    symlinkSync(join(base, "outside"), rootPath);
    const result = await tool.execute({ op: "read", path: "f.txt" }, ctx);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("OUTSIDE");
  });

  onLinux(
    "a root moved away between two reads of one macrotask is not read through its old descriptor",
    async () => {
      const tool = createFileTool("files", { kind: "file", root: rootPath });
      expect((await tool.execute({ op: "read", path: "d/f.txt" }, ctx)).output).toBe("1\tinside");
      renameSync(rootPath, join(base, "moved"));
      const result = await tool.execute({ op: "read", path: "d/f.txt" }, ctx);
      expect(result.ok).toBe(false);
      expect(result.output).toBe("");
    },
  );

  onLinux("a directory swapped for a symlink after the tool was built is never followed", async () => {
    const tool = createFileTool("files", { kind: "file", root: rootPath });
    expect((await tool.execute({ op: "read", path: "d/e/g.txt" }, ctx)).output).toBe("1\tdeep");
    renameSync(join(rootPath, "d"), join(rootPath, "d.old"));
    symlinkSync(join(base, "outside"), join(rootPath, "d"));
    expect(contentOf("d/f.txt")).toBeUndefined();
    const result = await tool.execute({ op: "read", path: "d/f.txt" }, ctx);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("through a symlink");
    expect(JSON.stringify(result)).not.toContain("OUTSIDE");
  });

  onLinux("a root swapped for a symlink after the tool was built is never followed", async () => {
    const tool = createFileTool("files", { kind: "file", root: rootPath });
    expect((await tool.execute({ op: "read", path: "d/f.txt" }, ctx)).output).toBe("1\tinside");
    renameSync(rootPath, join(base, "root.old"));
    symlinkSync(join(base, "outside"), rootPath);
    expect(contentOf("f.txt")).toBeUndefined();
    const result = await tool.execute({ op: "read", path: "f.txt" }, ctx);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("OUTSIDE");
  });

  onLinux("a file swapped for a symlink after the tool was built is never followed", async () => {
    const tool = createFileTool("files", { kind: "file", root: rootPath });
    rmSync(join(rootPath, "d", "f.txt"));
    symlinkSync(join(base, "outside", "f.txt"), join(rootPath, "d", "f.txt"));
    const result = await tool.execute({ op: "read", path: "d/f.txt" }, ctx);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("OUTSIDE");
  });

  onLinux("gives the same results as the general path, which a symlink inside the root takes", async () => {
    const tool = createFileTool("files", { kind: "file", root: rootPath, max_read: 12 });
    expect(contentOf("notes.txt")).toBeDefined();
    expect(contentOf("inner-link")).toBeUndefined();
    for (const args of [
      {},
      { offset: 2, limit: 2 },
      { offset: 9 },
      { byte_offset: 3 },
      { byte_offset: 999 },
      { limit: 1 },
    ]) {
      const fast = await tool.execute({ op: "read", path: "notes.txt", ...args }, ctx);
      const general = await tool.execute({ op: "read", path: "inner-link", ...args }, ctx);
      expect(fast).toEqual(general);
    }
    writeFileSync(join(rootPath, "notes.txt"), "a\0b");
    const binary = await tool.execute({ op: "read", path: "notes.txt" }, ctx);
    expect(binary).toEqual(await tool.execute({ op: "read", path: "inner-link" }, ctx));
    expect(binary.error).toBe("notes.txt is a binary file");
  });

  onLinux("fast reads of different files through one tool each see their own content", async () => {
    const tool = createFileTool("files", { kind: "file", root: rootPath });
    writeFileSync(join(rootPath, "long.txt"), `${"x".repeat(5000)}\nend`);
    const outputs = [];
    for (const path of ["long.txt", "d/f.txt", "long.txt", "d/e/g.txt"]) {
      outputs.push((await tool.execute({ op: "read", path, limit: 1 }, ctx)).output.slice(0, 12));
    }
    expect(outputs).toEqual(["1\txxxxxxxxxx", "1\tinside", "1\txxxxxxxxxx", "1\tdeep"]);
  });

  onLinux("an aborted signal stops a fast read with a cancelled error", async () => {
    const controller = new AbortController();
    controller.abort();
    const tool = createFileTool("files", { kind: "file", root: rootPath });
    const result = await tool.execute({ op: "read", path: "d/f.txt" }, { ...ctx, signal: controller.signal });
    expect(result.error).toBe("cancelled");
  });
});
