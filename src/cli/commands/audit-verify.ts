import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { verifyAuditFile } from "../../audit/verify.ts";
import { loadConfig } from "../../config/loader.ts";
import { auditLogPath } from "../../runtime/run-audit.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { findOptionalConfigPath } from "../config-path.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";

/** The commander `Command` a subcommand action receives last; `-c` may have been parsed by `audit`. */
export interface CommandWithGlobals {
  optsWithGlobals(): Record<string, unknown>;
}

/** The subcommand's options merged over those given to its parents (`agentry audit -c F verify`). */
export function withGlobals<T extends CommonOptions>(own: T, command?: CommandWithGlobals): T {
  return command ? ({ ...(command.optsWithGlobals() as Partial<T>), ...own } as T) : own;
}

/**
 * The audit log a command reads: FILE when given; else `[audit].path` of the configuration (`-c`
 * or the default lookup); else `audit.jsonl` in the state directory (`$AGENTRY_STATE_DIR`,
 * `[defaults].state_dir`, `~/.local/state/agentry`). A missing file is a usage error (exit 2).
 */
export async function auditPathFor(file: string | undefined, options: CommonOptions): Promise<string> {
  const path = file !== undefined ? resolve(file) : await configuredPath(options.config);
  if (!existsSync(path)) throw new UsageError(`audit log not found: ${path}`, { path });
  return path;
}

async function configuredPath(explicitConfig: string | undefined): Promise<string> {
  const configPath = findOptionalConfigPath(explicitConfig);
  const config = configPath === undefined ? undefined : (await loadConfig(configPath)).config;
  return auditLogPath(config, resolveStateDir(config?.defaults?.state_dir));
}

/**
 * `agentry audit verify [FILE]`: checks every record's hash and each run's chain. Prints
 * `ok: N records, R runs` (exit 0; runs without `run_end` are warned about on stderr) or names the
 * first bad line and why on stderr (exit 1).
 */
export default async function auditVerifyCommand(
  file: string | undefined,
  ownOptions: CommonOptions,
  command?: CommandWithGlobals,
): Promise<ExitCodeValue> {
  const options = withGlobals(ownOptions, command);
  const path = await auditPathFor(file, options);
  const result = await verifyAuditFile(path);
  if (!result.ok) {
    writeInfo(`${path}: line ${result.line}: ${result.reason}`);
    return ExitCode.agentFailed;
  }
  if (!options.quiet) for (const warning of result.warnings) writeInfo(`warning: ${warning}`);
  process.stdout.write(`ok: ${result.records} records, ${result.runs} runs\n`);
  return ExitCode.ok;
}
