import type { FileHandle } from "node:fs/promises";
import { basename, dirname } from "node:path";
import {
  CREATE_FLAGS,
  type FileRoot,
  notRegular,
  type Opened,
  openChild,
  openDirAt,
  WRITE_FLAGS,
} from "./open-in-root.ts";
import type { RootPath } from "./root-path.ts";

const WRITE_CHUNK = 64 * 1024;

/** Outcome of `writeInRoot`: bytes written, or why nothing was written. */
export type WriteOutcome = { ok: true; bytes: number; created: boolean } | { ok: false; error: string };

/**
 * Writes `content` to a resolved path inside the root. Missing parent directories are created
 * one verified component at a time; an existing file is opened without following a symlink and
 * truncated only after its descriptor is verified to be a regular file inside the root; a new
 * file is created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`), so a dangling symlink (or anything
 * that appears under the name meanwhile) is never written through. Aborts between chunks.
 */
export async function writeInRoot(
  root: FileRoot,
  target: Extract<RootPath, { ok: true }>,
  content: string,
  signal: AbortSignal,
): Promise<WriteOutcome> {
  const full = target.missing.length === 0 ? target.existing : undefined;
  const parentReal = full ? dirname(full) : target.existing;
  const create = full ? [] : target.missing.slice(0, -1);
  const name = full ? basename(full) : (target.missing.at(-1) as string);
  if (full === root.path) return { ok: false, error: "the root is a directory" };
  const dir = await openDirAt(root, parentReal, create);
  if (!dir.ok) return { ok: false, error: dir.error };
  let opened: Opened<FileHandle>;
  let created = false;
  try {
    opened = await openChild(root, dir.value, name, WRITE_FLAGS);
    if (!opened.ok && opened.error === "does not exist") {
      opened = await openChild(root, dir.value, name, CREATE_FLAGS, 0o644);
      created = opened.ok;
    }
  } finally {
    await dir.value.handle.close();
  }
  if (!opened.ok) return opened;
  const handle = opened.value;
  try {
    if (!opened.stat.isFile()) return { ok: false, error: notRegular(opened.stat) };
    await handle.truncate(0);
    const bytes = Buffer.from(content, "utf8");
    let at = 0;
    while (at < bytes.length) {
      signal.throwIfAborted();
      const { bytesWritten } = await handle.write(bytes, at, Math.min(WRITE_CHUNK, bytes.length - at), at);
      at += bytesWritten;
    }
    return { ok: true, bytes: bytes.length, created };
  } finally {
    await handle.close();
  }
}
