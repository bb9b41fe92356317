import { constants, type Stats } from "node:fs";
import { type FileHandle, mkdir, open, readlink, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { isInside } from "./root-path.ts";

/**
 * The file tool's root and how descriptors are checked against it. With `/proc/self/fd` (Linux)
 * every open goes through the descriptor of an already verified directory
 * (`/proc/self/fd/<dir>/<name>`, the equivalent of `openat`), with `O_NOFOLLOW` on the name, and
 * the opened descriptor's path is read back from `/proc/self/fd/<fd>` and must lie inside the root.
 * Without it, the fallback compares the descriptor's device and inode with those of the path's
 * real path, which must lie inside the root (a check that a concurrent rename can race).
 */
export interface FileRoot {
  path: string;
  procFd: boolean;
}

/** An open directory inside the root and the real path it was opened at. */
export interface DirRef {
  handle: FileHandle;
  path: string;
}

/** An open, verified file and the directory it was opened from. */
export interface OpenFile {
  dir: DirRef;
  name: string;
  file: FileHandle;
  stat: Stats;
}

/** An open descriptor checked to be inside the root, with its `fstat`. */
export type Opened<T> = { ok: true; value: T; stat: Stats } | { ok: false; error: string };

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const DIRECTORY = constants.O_DIRECTORY ?? 0;
/**
 * Linux `O_PATH` (not in Node's constants; this value on x86-64, arm64 and riscv): a descriptor
 * that names a file without opening it, so no device driver's `open` runs and no FIFO partner is
 * woken. Used where `/proc/self/fd` exists, to look at a file before opening it for real.
 */
export const PATH_ONLY = 0o10000000;

/** Flags for opening a file to read: never follows a final symlink, never blocks on a FIFO. */
export const READ_FLAGS = constants.O_RDONLY | NOFOLLOW | NONBLOCK;
/** Flags for opening an existing file to write (truncated only after it is verified). */
export const WRITE_FLAGS = constants.O_WRONLY | NOFOLLOW | NONBLOCK;
/** Flags for creating a new file: exclusively, so an existing name (a dangling symlink) fails. */
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW | NONBLOCK;
/** Flags for opening a directory: never follows a final symlink. */
export const DIR_FLAGS = constants.O_RDONLY | DIRECTORY | NOFOLLOW | NONBLOCK;

/** The path to open `name` inside `dir`: through the directory's descriptor where possible. */
export function childPath(root: FileRoot, dir: DirRef, name: string): string {
  return root.procFd ? `/proc/self/fd/${dir.handle.fd}/${name}` : join(dir.path, name);
}

/** Why a descriptor is not a regular file, in words for the model. */
export function notRegular(stat: Stats): string {
  if (stat.isDirectory()) return "is a directory";
  if (stat.isFIFO()) return "is a named pipe (FIFO), not a regular file";
  if (stat.isSocket()) return "is a socket, not a regular file";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "is a device, not a regular file";
  return "is not a regular file";
}

/** Why opening failed, in words for the model. */
export function openError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ELOOP" || code === "EMLINK")
    return "is a symlink (refused: the tool does not follow it here)";
  if (code === "ENOENT") return "does not exist";
  if (code === "EEXIST") return "appeared while it was being created; try again";
  if (code === "ENXIO") return "is a named pipe (FIFO) or device, not a regular file";
  if (code === "ENOTDIR") return "is not a directory (or is a symlink, which is not followed here)";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return err instanceof Error ? err.message : String(err);
}

/**
 * Checks that an open descriptor lies inside the root, returning its `fstat`, or why not.
 * `expected` is the path it was meant to be opened at (used by the fallback check).
 */
async function verify(root: FileRoot, handle: FileHandle, expected: string): Promise<Stats | string> {
  const opened = await handle.stat();
  if (root.procFd) {
    const actual = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => "");
    return isInside(root.path, actual)
      ? opened
      : "refused: it was moved outside the tool's root while being opened";
  }
  const real = await realpath(expected).catch(() => "");
  const now = real ? await stat(real).catch(() => undefined) : undefined;
  if (!now || !isInside(root.path, real) || now.dev !== opened.dev || now.ino !== opened.ino) {
    return "refused: it changed while being opened (symlink or rename race)";
  }
  return opened;
}

/**
 * With `/proc/self/fd`: opens an existing regular file or directory at `path` with `flags`, after
 * looking at it through an `O_PATH` descriptor and reopening that very file through it, so a FIFO,
 * socket or device is refused without being opened (opening one can wake a FIFO's writer or
 * reader, arm a watchdog, rewind a tape). A symlink is refused like `O_NOFOLLOW` refuses it.
 */
async function openExisting(path: string, flags: number): Promise<FileHandle | string> {
  const named = await open(path, PATH_ONLY | NOFOLLOW);
  try {
    const stat = await named.stat();
    if (stat.isSymbolicLink()) return openError({ code: "ELOOP" });
    if (!stat.isFile() && !stat.isDirectory()) return notRegular(stat);
    return await open(`/proc/self/fd/${named.fd}`, flags & ~NOFOLLOW);
  } finally {
    await named.close();
  }
}

/** Opens `path` (a real path) with `flags` and verifies the descriptor, closing it on refusal. */
async function openVerified(
  root: FileRoot,
  openPath: string,
  realPath: string,
  flags: number,
  mode?: number,
): Promise<Opened<FileHandle>> {
  let handle: FileHandle;
  try {
    const existing = root.procFd && (flags & (constants.O_CREAT | DIRECTORY)) === 0;
    const opened = existing ? await openExisting(openPath, flags) : await open(openPath, flags, mode);
    if (typeof opened === "string") return { ok: false, error: opened };
    handle = opened;
  } catch (err) {
    return { ok: false, error: openError(err) };
  }
  const checked = await verify(root, handle, realPath).catch((err: unknown) => openError(err));
  if (typeof checked === "string") {
    await handle.close();
    return { ok: false, error: checked };
  }
  return { ok: true, value: handle, stat: checked };
}

/** Opens the root itself as a directory. */
export async function openRootDir(root: FileRoot): Promise<Opened<DirRef>> {
  const opened = await openVerified(root, root.path, root.path, DIR_FLAGS);
  return opened.ok ? { ...opened, value: { handle: opened.value, path: root.path } } : opened;
}

/** Opens `name` inside the open directory `dir` as a directory, without following a symlink. */
export async function openChildDir(root: FileRoot, dir: DirRef, name: string): Promise<Opened<DirRef>> {
  const path = join(dir.path, name);
  const opened = await openVerified(root, childPath(root, dir, name), path, DIR_FLAGS);
  return opened.ok ? { ...opened, value: { handle: opened.value, path } } : opened;
}

/** Opens `name` inside the open directory `dir` with `flags`, without following a symlink. */
export function openChild(
  root: FileRoot,
  dir: DirRef,
  name: string,
  flags: number,
  mode?: number,
): Promise<Opened<FileHandle>> {
  return openVerified(root, childPath(root, dir, name), join(dir.path, name), flags, mode);
}

/**
 * Opens the directory at `real` (a real path inside the root) by walking from the root one
 * verified component at a time, creating the components listed in `create` below it.
 */
export async function openDirAt(
  root: FileRoot,
  real: string,
  create: readonly string[] = [],
): Promise<Opened<DirRef>> {
  const existing = relative(root.path, real)
    .split(sep)
    .filter((part) => part !== "");
  const names = [...existing, ...create];
  let current = await openRootDir(root);
  for (const [index, name] of names.entries()) {
    if (!current.ok) return current;
    const dir = current.value;
    try {
      if (index >= existing.length) await makeDir(childPath(root, dir, name));
      current = await openChildDir(root, dir, name);
    } finally {
      await dir.handle.close();
    }
  }
  return current;
}

async function makeDir(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (err) {
    if ((err as { code?: unknown }).code !== "EEXIST") throw err;
  }
}
