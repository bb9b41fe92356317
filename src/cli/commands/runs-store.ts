import { loadConfig } from "../../config/loader.ts";
import { UsageError } from "../../spec/errors.ts";
import { RunRecords, type RunSummary } from "../../state/run-records.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { findOptionalConfigPath } from "../config-path.ts";
import type { CommonOptions } from "../main.ts";
import { type CommandWithGlobals, withGlobals } from "./audit-verify.ts";

/** The run records of the state dir a command reads (`$AGENTRY_STATE_DIR`, `[defaults].state_dir`, XDG). */
export async function runRecordsFor(options: CommonOptions): Promise<RunRecords> {
  const configPath = findOptionalConfigPath(options.config);
  if (configPath === undefined) return new RunRecords(resolveStateDir());
  const { config } = await loadConfig(configPath);
  return new RunRecords(resolveStateDir(config.defaults?.state_dir));
}

/** The run an id names: exactly, or as the unique start of one id. Unknown or ambiguous is exit 2. */
export function findRun(records: RunRecords, id: string): RunSummary {
  const exact = records.summary(id);
  if (exact) return exact;
  const matches = records.list().filter((run) => run.run_id.startsWith(id));
  if (matches.length === 1) return matches[0] as RunSummary;
  if (matches.length > 1) {
    throw new UsageError(`run id "${id}" is ambiguous: ${matches.map((run) => run.run_id).join(", ")}`);
  }
  throw new UsageError(`no run record "${id}" in ${records.dir}`, { hint: "agentry runs list" });
}

/**
 * What `runs show` and `runs report` start from: their options merged over the parents'
 * (`withGlobals`), the run records of the state dir they read, and the run `id` names (`findRun`).
 */
export async function openRecordedRun<T extends CommonOptions>(
  id: string,
  ownOptions: T,
  command?: CommandWithGlobals,
): Promise<{ options: T; records: RunRecords; summary: RunSummary }> {
  const options = withGlobals(ownOptions, command);
  const records = await runRecordsFor(options);
  return { options, records, summary: findRun(records, id) };
}
