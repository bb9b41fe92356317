import { accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { interpolate } from "../config/interpolate.ts";
import type { McpServerConfig } from "../config/schema.ts";
import { sandboxHostOf } from "../sandbox/host.ts";
import { createSandbox } from "../sandbox/sandbox.ts";
import type { SecretSource } from "./http-auth.ts";
import type { StdioLaunch } from "./stdio-transport.ts";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the program to start: a path with a `/` is taken relative to `cwd`; a bare name is
 * looked up in the server's own PATH if it is passed through, else in agentry's PATH (the lookup
 * uses it; the server does not receive it).
 */
export function resolveCommand(command: string, path: string | undefined, cwd: string): string | undefined {
  if (command.includes("/") || command.includes("\\")) {
    const full = isAbsolute(command) ? command : resolve(cwd, command);
    return executable(full) ? full : undefined;
  }
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The launch of a stdio server: only the variables named in `env` pass through, `set_env` values
 * (which may use `${VAR}`) are added and reported as secrets. Nothing else of agentry's
 * environment reaches the server. A configured sandbox wraps the program (bubblewrap on Linux);
 * when it cannot be enforced the server does not start. Throws ConfigError for an unset `${VAR}`,
 * an Error for a program that cannot be found or a sandbox that cannot be enforced.
 */
export async function stdioLaunch(
  server: string,
  config: McpServerConfig,
  source: SecretSource,
): Promise<StdioLaunch> {
  const env: Record<string, string> = {};
  for (const name of config.env ?? []) {
    const value = source.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [key, raw] of Object.entries(config.set_env ?? {})) {
    const resolved = interpolate(raw, `mcp.${server}.set_env.${key}`, source.env);
    source.addSecrets(resolved.secrets);
    env[key] = resolved.value;
  }
  const command = config.command ?? "";
  const cwd = config.cwd ?? process.cwd();
  const file = resolveCommand(command, env["PATH"] ?? source.env["PATH"], cwd);
  if (!file) throw new Error(`program not found: ${command}`);
  const args = config.args ?? [];
  const sandbox = createSandbox(config, {
    cwd,
    host: source.sandboxHost ?? sandboxHostOf(source.env),
    path: source.env["PATH"],
  });
  const prepared = await sandbox?.prepare(file, args, false);
  if (prepared && !prepared.ok)
    throw new Error(`its sandbox cannot be enforced on this host: ${prepared.reason}`);
  const launch = prepared?.launch;
  return {
    command: launch?.file ?? file,
    args: launch?.args ?? args,
    env,
    ...(config.cwd ? { cwd: config.cwd } : {}),
    ...(launch ? { release: launch.release } : {}),
    ...(launch?.network ? { network: launch.network } : {}),
  };
}
