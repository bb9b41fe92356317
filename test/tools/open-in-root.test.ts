import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { type FileRoot, openChild, openDirAt, READ_FLAGS } from "../../src/tools/file/open-in-root.ts";
import { resolveInRoot } from "../../src/tools/file/root-path.ts";
import { writeInRoot } from "../../src/tools/file/write-file.ts";

let base: string;
let rootPath: string;
const signal = new AbortController().signal;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "open-in-root-")));
  rootPath = join(base, "root");
  mkdirSync(join(rootPath, "d"), { recursive: true });
  mkdirSync(join(base, "outside"));
  writeFileSync(join(rootPath, "d", "f.txt"), "inside");
  writeFileSync(join(base, "outside", "f.txt"), "OUTSIDE");
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** Replaces the directory `root/d` by a symlink to the outside directory. */
function swapDirForSymlink(): void {
  renameSync(join(rootPath, "d"), join(rootPath, "d.old"));
  symlinkSync(join(base, "outside"), join(rootPath, "d"));
}

async function readAfterSwap(root: FileRoot): Promise<string> {
  const target = await resolveInRoot(root.path, "d/f.txt");
  if (!target.ok) throw new Error(target.error);
  swapDirForSymlink();
  const dir = await openDirAt(root, dirname(target.existing));
  if (!dir.ok) return dir.error;
  try {
    const file = await openChild(root, dir.value, basename(target.existing), READ_FLAGS);
    if (!file.ok) return file.error;
    const text = await file.value.readFile("utf8");
    await file.value.close();
    return text;
  } finally {
    await dir.value.handle.close();
  }
}

describe("opening inside the root when a directory is swapped for a symlink after the check", () => {
  test.each([
    ["through /proc/self/fd", true],
    ["with the dev/ino fallback", false],
  ])("a read %s is refused and never returns the outside file", async (_how, procFd) => {
    if (procFd && !existsSync("/proc/self/fd")) return;
    const result = await readAfterSwap({ path: rootPath, procFd });
    expect(result).not.toContain("OUTSIDE");
    expect(result).toMatch(/symlink|changed while being opened|moved outside/);
    expect(result).not.toBe("");
  });

  test.each([true, false])("a write (procFd %p) creates nothing outside", async (procFd) => {
    if (procFd && !existsSync("/proc/self/fd")) return;
    const root = { path: rootPath, procFd };
    const target = await resolveInRoot(rootPath, "d/new.txt");
    if (!target.ok) throw new Error(target.error);
    swapDirForSymlink();
    const written = await writeInRoot(root, target, "pwned", signal);
    expect(written.ok).toBe(false);
    expect(existsSync(join(base, "outside", "new.txt"))).toBe(false);
  });
});
