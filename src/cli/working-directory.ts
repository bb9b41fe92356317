import { statSync } from "node:fs";
import { UsageError } from "../spec/errors.ts";

/**
 * `-C/--cd DIR`: makes DIR the working directory before anything else happens, as `git -C` and
 * `make -C` do, so configuration lookup, relative paths, tool roots and `--continue` all behave
 * as if agentry had been started there. A missing or non-directory DIR is exit 2.
 */
export function enterWorkingDirectory(dir: string | undefined): void {
  if (dir === undefined) return;
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`-C/--cd: directory not found: ${dir}`);
  }
  if (!isDirectory) throw new UsageError(`-C/--cd: not a directory: ${dir}`);
  process.chdir(dir);
}
