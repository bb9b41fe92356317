import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";

/** The largest configuration file agentry reads (main or included): 1 MiB. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** A configuration file's text, or why it cannot be used. */
export type ConfigFileText = { ok: true; text: string } | { ok: false; reason: string };

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "it is a directory";
  if (stat.isFIFO()) return "it is a named pipe (FIFO), not a regular file";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "it is a device, not a regular file";
  if (stat.isSocket()) return "it is a socket, not a regular file";
  return "not a regular file";
}

function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a parent is not a directory";
  return err instanceof Error ? err.message : String(err);
}

const TOO_LARGE = `larger than ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB`;

/**
 * Reads a configuration file, refusing anything but a regular file of at most 1 MiB: a FIFO,
 * socket or device (`/dev/zero`) is refused from `stat` before it is opened, and the file is
 * opened non-blocking and checked again on the descriptor, so swapping in a FIFO cannot hang the
 * loader. Reading stops one byte past the cap, so a file that grows (or a `/proc` file that
 * claims size 0) cannot make agentry read more than that.
 */
export function readConfigFile(path: string): ConfigFileText {
  let fd: number | undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { ok: false, reason: kindOf(stat) };
    if (stat.size > MAX_CONFIG_FILE_BYTES) return { ok: false, reason: TOO_LARGE };
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { ok: false, reason: kindOf(opened) };
    const buffer = Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_CONFIG_FILE_BYTES) return { ok: false, reason: TOO_LARGE };
    }
    return { ok: true, text: buffer.toString("utf8", 0, length) };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
