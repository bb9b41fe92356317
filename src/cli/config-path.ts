import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../spec/errors.ts";

const HINT =
  "run `agentry init` to write a starter agentry.toml (or `agentry init --from-env`), or pass -c FILE";

type Env = Record<string, string | undefined>;

function checkedFile(given: string, cwd: string, origin: string): string {
  const path = resolve(cwd, given);
  if (!existsSync(path))
    throw new UsageError(`configuration file not found: ${given}${origin}`, { hint: HINT });
  if (statSync(path).isDirectory()) {
    throw new UsageError(`configuration path is a directory: ${given}${origin}`, { hint: HINT });
  }
  return path;
}

/** `$XDG_CONFIG_HOME/agentry/agentry.toml` (default `~/.config/agentry/agentry.toml`). */
export function userConfigPath(env: Env = process.env): string {
  const configHome = env["XDG_CONFIG_HOME"] || join(env["HOME"] ?? homedir(), ".config");
  return join(configHome, "agentry", "agentry.toml");
}

/**
 * The configuration file a command uses, or undefined when there is none to find: `-c FILE`
 * when given, else `$AGENTRY_CONFIG`, else `./agentry.toml`, else the user config file
 * (`userConfigPath`). A file named by `-c` or `AGENTRY_CONFIG` must exist (else UsageError, exit 2).
 * Returns an absolute path.
 */
export function locateConfigPath(
  explicit?: string,
  cwd: string = process.cwd(),
  env: Env = process.env,
): string | undefined {
  if (explicit !== undefined) return checkedFile(explicit, cwd, "");
  const named = env["AGENTRY_CONFIG"];
  if (named) return checkedFile(named, cwd, " (from AGENTRY_CONFIG)");
  const local = resolve(cwd, "agentry.toml");
  if (existsSync(local)) return local;
  const user = userConfigPath(env);
  if (existsSync(user)) return user;
  return undefined;
}

/**
 * Like `locateConfigPath`, for commands that need a file: throws a `UsageError` (exit 2) with a
 * hint when none exists.
 */
export function findConfigPath(
  explicit?: string,
  cwd: string = process.cwd(),
  env: Env = process.env,
): string {
  const found = locateConfigPath(explicit, cwd, env);
  if (found !== undefined) return found;
  throw new UsageError(
    `no configuration found (looked for ./agentry.toml and ${userConfigPath(env)}; AGENTRY_CONFIG is not set)`,
    { hint: HINT },
  );
}

/**
 * For commands that can work without a configuration (`approvals`, `audit`): the file
 * `findConfigPath` would pick, or undefined when there is none. An explicit `-c FILE` (or
 * `AGENTRY_CONFIG`) that does not exist is still an error.
 */
export function findOptionalConfigPath(explicit?: string, cwd: string = process.cwd()): string | undefined {
  return locateConfigPath(explicit, cwd);
}
