import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where run state lives (SPEC §12): `$AGENTRY_STATE_DIR`, else `[defaults].state_dir`, else
 * `$XDG_STATE_HOME/agentry`, else `~/.local/state/agentry`.
 */
export function resolveStateDir(
  configured?: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const explicit = env["AGENTRY_STATE_DIR"];
  if (explicit) return explicit;
  if (configured) return configured;
  const xdg = env["XDG_STATE_HOME"];
  return join(xdg || join(env["HOME"] || homedir(), ".local", "state"), "agentry");
}

/** The audit log when `[audit].path` is not set: `audit.jsonl` in the state dir. */
export function defaultAuditPath(stateDir: string): string {
  return join(stateDir, "audit.jsonl");
}
