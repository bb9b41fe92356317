import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../spec/errors.ts";

const HINT = "run `agentry init` to write a starter agentry.toml, or pass -c FILE";

/**
 * Which configuration file a command uses: `-c FILE` when given (it must exist), else
 * `./agentry.toml`, else `$XDG_CONFIG_HOME/agentry/agentry.toml` (default
 * `~/.config/agentry/agentry.toml`). Throws a `UsageError` (exit 2) with a hint when none exists.
 * Returns an absolute path.
 */
export function findConfigPath(
  explicit?: string,
  cwd: string = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): string {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new UsageError(`configuration file not found: ${explicit}`, { hint: HINT });
    if (statSync(path).isDirectory()) {
      throw new UsageError(`configuration path is a directory: ${explicit}`, { hint: HINT });
    }
    return path;
  }
  const local = resolve(cwd, "agentry.toml");
  if (existsSync(local)) return local;
  const configHome = env["XDG_CONFIG_HOME"] || join(env["HOME"] ?? homedir(), ".config");
  const user = join(configHome, "agentry", "agentry.toml");
  if (existsSync(user)) return user;
  throw new UsageError(`no configuration found (looked for ./agentry.toml and ${user})`, { hint: HINT });
}

/**
 * For commands that can work without a configuration (`approvals`, `audit`): the file
 * `findConfigPath` would pick, or undefined when there is none. An explicit `-c FILE` that does
 * not exist is still an error.
 */
export function findOptionalConfigPath(explicit?: string, cwd: string = process.cwd()): string | undefined {
  try {
    return findConfigPath(explicit, cwd);
  } catch (err) {
    if (explicit !== undefined) throw err;
    return undefined;
  }
}
