import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readlinkSync,
  readSync,
  type Stats,
  statfsSync,
  statSync,
} from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { DIR_FLAGS, type FileRoot, PATH_ONLY } from "./open-in-root.ts";
import { CHUNK_BYTES } from "./read-window.ts";
import { isInside } from "./root-path.ts";

/**
 * Benchmark-driven (issue 13, `scripts/bench/batch.ts`, 500 agents × 10 reads): the file tool's
 * synchronous fast path for reading a small local file. Bun's asynchronous `fs` calls each take a
 * round trip through its thread pool (7–17 µs of CPU per call against 0.5–3 µs for the
 * synchronous call); a read of a tiny file made eleven of them. Here the same opens and checks
 * are made synchronously, and only in the case where they cannot block for long: a regular file of
 * at most `LOCAL_READ_MAX` bytes, on the root's own local disk or memory file system, reached from
 * the root without any symlink. Every other case (a symlink anywhere on the way, a missing or
 * special file, a larger file, another file system, any error) returns `undefined` and the caller
 * takes the general asynchronous path, which answers it exactly as before.
 */

/** Files up to this size are read synchronously, in one read. */
export const LOCAL_READ_MAX = CHUNK_BYTES;

/**
 * `statfs` magic numbers of local disk and memory file systems: ext2/3/4, xfs, btrfs, tmpfs,
 * ramfs, overlayfs, zfs, f2fs, bcachefs. Network and FUSE file systems, whose calls may block for
 * seconds, are not listed and keep the asynchronous path.
 */
const LOCAL_FILE_SYSTEMS: ReadonlySet<number> = new Set([
  0xef53, 0x58465342, 0x9123683e, 0x01021994, 0x858458f6, 0x794c7630, 0x2fc12fc1, 0xf2f52010, 0xca451a4e,
]);

/** A root the fast path may read under: its real path and the device it lives on. */
export interface LocalRoot {
  path: string;
  dev: number;
}

/**
 * Whether `path` (absolute and normalised, as `/proc/self/fd` links are) is `root` or lies below
 * it: `isInside` for such paths, by prefix instead of `path.relative`.
 */
function insideRoot(root: string, path: string): boolean {
  if (!path.startsWith(root)) return false;
  return path.length === root.length || root === sep || path.charAt(root.length) === sep;
}

/** A small regular file opened by `openLocalFile`; the caller closes `fd`. */
export interface LocalFile {
  fd: number;
  size: number;
  /** The path relative to the root, for messages (as the general path shows it). */
  shown: string;
}

/**
 * The root as the fast path sees it, or `undefined` when the fast path is off for this tool:
 * without `/proc/self/fd` (the descriptor checks need it) or when the root is not on a local file
 * system. Decided once, when the tool is built; each open still checks the device.
 */
export function localRoot(root: FileRoot): LocalRoot | undefined {
  if (!root.procFd) return undefined;
  try {
    if (!LOCAL_FILE_SYSTEMS.has(statfsSync(root.path).type)) return undefined;
    return { path: root.path, dev: statSync(root.path).dev };
  } catch {
    return undefined;
  }
}

/**
 * The root directory's descriptor for the fast reads of one macrotask: opened and checked (its
 * `/proc/self/fd` path must lie inside the root) by the first of them, closed when the macrotask
 * ends, so a burst of reads (many agents' calls answered in one event-loop turn) opens the root
 * once instead of once per read. Should the root be moved or replaced meanwhile, the descriptor
 * still names the root directory itself, and every descriptor opened below it is checked on its
 * own: one that no longer lies inside the root's path is refused. One per tool, never shared.
 */
export class LocalRootDir {
  private fd: number | undefined;
  private readonly close = () => {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  };

  constructor(readonly root: LocalRoot) {}

  /** The root's descriptor; `undefined` when it cannot be opened or does not lie at the root. */
  open(): number | undefined {
    if (this.fd !== undefined) return this.fd;
    let fd: number;
    try {
      fd = openSync(this.root.path, DIR_FLAGS);
    } catch {
      return undefined;
    }
    try {
      if (insideRoot(this.root.path, readlinkSync(`/proc/self/fd/${fd}`))) {
        this.fd = fd;
        setImmediate(this.close);
        return fd;
      }
    } catch {
      // refused below, like a failed check
    }
    closeSync(fd);
    return undefined;
  }
}

/**
 * Opens `requested` for reading on the calling thread, with the general path's guarantees: each
 * component is opened through the descriptor of the directory verified before it
 * (`/proc/self/fd/<dir>/<name>`, like `openat`) with `O_NOFOLLOW`, so a symlink, wherever and
 * whenever it appears, fails the open instead of being followed; each descriptor's own path
 * (`/proc/self/fd/<fd>`) must lie inside the root, and each one below the root must be on the
 * root's device. Returns the open file only when it is a regular file of at most `LOCAL_READ_MAX`
 * bytes; `undefined` otherwise, with every descriptor it opened closed.
 */
export function openLocalFile(rootDir: LocalRootDir, requested: string): LocalFile | undefined {
  const root = rootDir.root;
  const shown = relativeInRoot(root.path, requested);
  if (shown === undefined) return undefined;
  const names = shown.split(sep);
  const rootFd = rootDir.open();
  if (rootFd === undefined) return undefined;
  let dirFd = rootFd;
  for (let index = 0; index < names.length; index++) {
    const path = `/proc/self/fd/${dirFd}/${names[index]}`;
    if (index === names.length - 1) {
      const file = openSmallFile(root, path);
      if (dirFd !== rootFd) closeSync(dirFd);
      return file && { ...file, shown };
    }
    const opened = openVerified(root, path, DIR_FLAGS);
    if (dirFd !== rootFd) closeSync(dirFd);
    if (!opened) return undefined;
    dirFd = opened.fd;
  }
  return undefined;
}

/**
 * Opens `path` for reading if it is a regular file of at most `LOCAL_READ_MAX` bytes on the root's
 * device inside the root: judged on an `O_PATH` descriptor (no FIFO partner woken, no device
 * driver's `open` run), then that very file is reopened through it.
 */
function openSmallFile(root: LocalRoot, path: string): { fd: number; size: number } | undefined {
  let named: number;
  try {
    named = openSync(path, PATH_ONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(named);
    if (!stat.isFile() || stat.size > LOCAL_READ_MAX || stat.dev !== root.dev) return undefined;
    if (!insideRoot(root.path, readlinkSync(`/proc/self/fd/${named}`))) return undefined;
    return { fd: openSync(`/proc/self/fd/${named}`, constants.O_RDONLY), size: stat.size };
  } catch {
    return undefined;
  } finally {
    closeSync(named);
  }
}

/** A buffer a small file fits in: one per tool, reused by every fast read (they run synchronously). */
export function localReadBuffer(): Buffer {
  return Buffer.allocUnsafe(LOCAL_READ_MAX + 1);
}

/**
 * The whole content of a file opened by `openLocalFile`, read at once into `into` (from
 * `localReadBuffer`; the content is a view of it, valid until the next read); `undefined` when the
 * file has grown past the size it was opened with (the general path then reads it in chunks).
 */
export function readLocalFile(file: LocalFile, into: Buffer): Buffer | undefined {
  const length = readSync(file.fd, into, 0, file.size + 1, 0);
  return length <= file.size ? into.subarray(0, length) : undefined;
}

/**
 * `requested` relative to the root as the general path shows it (`relative(root, resolve(root,
 * requested))`), or `undefined` for the root itself and for paths outside it. A plain relative path
 * (no empty, `.` or `..` component) is already in that form and is returned as it is.
 */
function relativeInRoot(root: string, requested: string): string | undefined {
  if (requested !== "" && !requested.startsWith(sep) && requested.split(sep).every(plainName))
    return requested;
  const lexical = isAbsolute(requested) ? resolve(requested) : resolve(root, requested);
  if (!isInside(root, lexical)) return undefined;
  const shown = relative(root, lexical);
  return shown === "" ? undefined : shown;
}

function plainName(name: string): boolean {
  return name !== "" && name !== "." && name !== "..";
}

/** Opens `path` and checks the descriptor: its `/proc/self/fd` path inside the root, its device the root's. */
function openVerified(root: LocalRoot, path: string, flags: number): { fd: number; stat: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.dev === root.dev && insideRoot(root.path, readlinkSync(`/proc/self/fd/${fd}`)))
      return { fd, stat };
  } catch {
    // refused below, like a failed check
  }
  closeSync(fd);
  return undefined;
}
