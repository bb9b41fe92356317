import { lstatSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Linux `sun_path` holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/**
 * The directory every proxy socket of this user lives under: `$TMPDIR/agentry-net-<uid>`. It is one
 * fixed place so a sandbox can hide ALL of them with one tmpfs and then bind back only its own
 * socket: a sandboxed process runs as the same user, so file modes alone would not keep it from
 * another call's proxy (and its allow list).
 */
export function proxySocketRoot(): string {
  return join(tmpdir(), `agentry-net-${process.getuid?.() ?? "user"}`);
}

/**
 * Makes sure the socket root exists before a sandbox starts, so that the sandbox hides it (a denied
 * path is hidden only when it exists at launch). Otherwise, with TMPDIR outside the private /tmp,
 * a sandbox started before the first proxy would see the root another launch creates later, and a
 * `network = "none"` command could reach that launch's proxy and its allowed hosts. Best effort: a
 * root that cannot be created cannot hold a proxy of this user either.
 */
export function reserveSocketRoot(root = proxySocketRoot()): void {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch {
    // Nothing of this user can be there then.
  }
}

/**
 * Creates the root (mode 0700) if needed and checks it was not planted: a real directory (not a
 * symlink), owned by this user, closed to group and others. Then makes a fresh 0700 directory for
 * one proxy and returns the socket path inside it. Throws with the reason otherwise.
 */
export function createSocketPath(root = proxySocketRoot()): { dir: string; socket: string } {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const stat = lstatSync(root);
  const uid = process.getuid?.();
  if (!stat.isDirectory()) throw new Error(`${root} is not a directory`);
  if (uid !== undefined && stat.uid !== uid)
    throw new Error(`${root} belongs to another user (uid ${stat.uid})`);
  if ((stat.mode & 0o077) !== 0)
    throw new Error(`${root} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`);
  const dir = mkdtempSync(join(root, "p-"));
  const socket = join(dir, "s");
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new Error(
      `the proxy socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes; set TMPDIR to a shorter directory`,
    );
  }
  return { dir, socket };
}
