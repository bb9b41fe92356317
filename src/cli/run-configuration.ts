import { basename } from "node:path";
import { type LoadedConfig, loadConfig } from "../config/loader.ts";
import type { Config } from "../config/schema.ts";
import { UsageError } from "../spec/errors.ts";
import type { DeferredRun } from "../state/deferred-runs.ts";
import { ZERO_CONFIG_NAME } from "./cli-config.ts";

/**
 * The configuration whose `[audit]` a decision on `run` is recorded under: the one the run was
 * made with (`run.config`, kept in its state and covered by its MAC), so the decision lands in the
 * audit log that holds the run's chain whatever configuration `agentry approvals` found (none,
 * another `./agentry.toml`, the user's). That is `loaded` when it is that file; a zero-config run
 * has none (the state dir's `audit.jsonl`). When the run's file cannot be read any more, an
 * explicit `-c` is taken as the operator's word; without one it is a usage error (exit 2) naming
 * the file to pass.
 */
export async function configOfRun(
  run: DeferredRun,
  loaded: LoadedConfig | undefined,
  explicit: boolean,
): Promise<Config | undefined> {
  if (loaded?.path === run.config) return loaded.config;
  if (basename(run.config) === ZERO_CONFIG_NAME) return undefined;
  try {
    return (await loadConfig(run.config)).config;
  } catch (err) {
    if (explicit) return loaded?.config;
    throw new UsageError(
      `run ${run.run_id} was made with the configuration ${run.config}, which cannot be read (${err instanceof Error ? err.message : String(err)}); the decision must be audited in that run's audit log, so nothing was recorded`,
      { hint: `pass -c ${run.config} (or the configuration that replaced it)` },
    );
  }
}

/**
 * Whether `run` was made with another configuration file than `loaded` (a zero-config run was
 * made with none): then `resume` must be given the run's `-c` to continue it as it was made (its
 * tools, policy and audit log).
 */
export function madeWithOtherFile(run: DeferredRun, loaded: LoadedConfig | undefined): boolean {
  return basename(run.config) !== ZERO_CONFIG_NAME && run.config !== loaded?.path;
}
