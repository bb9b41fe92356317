import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomHex } from "../digest/random.ts";
import { UsageError } from "../spec/errors.ts";

/**
 * Reads a secret file only its owner may access (the state key, the server token): undefined
 * when it does not exist, a usage error naming `what` when group or others can access it.
 */
export function readPrivateFile(path: string, what: string): Buffer | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new UsageError(
      `${what} ${path} is accessible by other users (mode ${(mode & 0o777).toString(8)}); refusing to use it`,
      { hint: `chmod 600 ${path}` },
    );
  }
  return readFileSync(path);
}

/**
 * Creates a secret file (mode 0600, its directory 0700) atomically: written to a temp file and
 * hard-linked into place, so concurrent creators agree on one content — the first one's. Returns
 * what the file holds afterwards.
 */
export function createPrivateFile(path: string, content: Buffer | string, what: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomHex(6)}.tmp`;
  writeFileSync(temp, content, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    unlinkSync(temp);
  }
  return readPrivateFile(path, what) as Buffer;
}
