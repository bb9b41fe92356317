import { homedir, userInfo } from "node:os";
import type { Config } from "../config/schema.ts";
import { defaultAuditPath, resolveStateDir } from "../state/state-dir.ts";
import { proxySocketRoot } from "./network/socket-dir.ts";

/**
 * What a sandbox must know about the agentry process around it: the home directory (`~` of the
 * default `deny_read` list) and agentry's own files, hidden from every sandbox (the state dir,
 * the audit log wherever it is, the directory of the network proxies' sockets).
 */
export interface SandboxHost {
  home: string;
  /**
   * Every home whose credentials are denied: `$HOME`, and the account's home from the password
   * database when `$HOME` points elsewhere (a changed HOME must not make `~/.ssh` readable).
   */
  homes: string[];
  /** Directories and files of agentry itself that no sandboxed process may read. */
  agentryPaths: string[];
  /**
   * Files a sandboxed process may read but never change, even inside a writable directory: the
   * configuration files in use and agentry's own executable (a sandbox that rewrote them would
   * loosen, or run code in, the next run outside the sandbox).
   */
  readOnly: string[];
}

/**
 * The host as seen from an environment: HOME, the state dir as SPEC §12 finds it and the proxy
 * socket root (`proxySocketRoot`: every sandbox hides all proxies' sockets, so a sandbox without
 * network cannot reach another launch's allow-listed proxy; a `network_allow` sandbox mounts its own
 * socket back over the hidden root). `agentryPaths` adds further files (the audit log when
 * `[audit].path` is outside the state dir), `readOnly` the configuration files; agentry's own
 * executable is always read-only.
 */
export function sandboxHostOf(
  env: Record<string, string | undefined>,
  options: { stateDir?: string; agentryPaths?: readonly string[]; readOnly?: readonly string[] } = {},
): SandboxHost {
  const home = env["HOME"] || homedir();
  return {
    home,
    homes: [...new Set([home, accountHome() ?? home])],
    agentryPaths: [
      options.stateDir ?? resolveStateDir(undefined, env),
      proxySocketRoot(),
      ...(options.agentryPaths ?? []),
    ],
    readOnly: [process.execPath, ...(options.readOnly ?? [])],
  };
}

/**
 * The host of a runtime over a loaded configuration: its state dir, its audit log (`[audit].path`
 * or the state dir's) and its configuration files.
 */
export function sandboxHostForConfig(
  loaded: { config: Config; files: readonly string[] },
  env: Record<string, string | undefined>,
  stateDir: string,
): SandboxHost {
  return sandboxHostOf(env, {
    stateDir,
    agentryPaths: [loaded.config.audit?.path ?? defaultAuditPath(stateDir)],
    readOnly: loaded.files,
  });
}

/** The home directory of agentry's user in the password database (not `$HOME`). */
function accountHome(): string | undefined {
  try {
    return userInfo().homedir || undefined;
  } catch {
    return undefined;
  }
}
