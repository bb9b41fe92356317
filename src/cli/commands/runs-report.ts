import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { verifyAuditFile } from "../../audit/verify.ts";
import { loadConfig } from "../../config/loader.ts";
import { buildRunTree } from "../../observe/run-tree.ts";
import { auditLogPath } from "../../runtime/run-audit.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { findOptionalConfigPath } from "../config-path.ts";
import type { CommonOptions } from "../main.ts";
import { writeInfo } from "../output.ts";
import { type AuditCheck, renderHtmlReport } from "../render/report/html-report.ts";
import type { CommandWithGlobals } from "./audit-verify.ts";
import { openRecordedRun } from "./runs-store.ts";

/** Options of `agentry runs report`. */
export interface RunsReportOptions extends CommonOptions {
  output?: string;
}

/**
 * `agentry runs report ID [-o run.html]`: the run as one self-contained HTML file (to stdout
 * without `-o`), with the audit chain of the configured log checked for the run.
 */
export default async function runsReportCommand(
  id: string,
  ownOptions: RunsReportOptions,
  command?: CommandWithGlobals,
): Promise<ExitCodeValue> {
  const { options, records, summary } = await openRecordedRun(id, ownOptions, command);
  const tree = buildRunTree(records.events(summary.run_id));
  if (!tree) throw new UsageError(`run ${summary.run_id} has no recorded events`);
  const html = renderHtmlReport({
    tree,
    ...(summary.exit_code !== undefined ? { exitCode: summary.exit_code } : {}),
    audit: await checkAudit(options, summary.run_id),
    generatedAt: new Date().toISOString(),
  });
  if (options.output === undefined || options.output === "-") {
    process.stdout.write(html);
    return ExitCode.ok;
  }
  const path = resolve(options.output);
  writeFileSync(path, html, { mode: 0o600 });
  if (!options.quiet) writeInfo(`wrote ${path}`);
  return ExitCode.ok;
}

async function checkAudit(options: CommonOptions, runId: string): Promise<AuditCheck> {
  const configPath = findOptionalConfigPath(options.config);
  const config = configPath === undefined ? undefined : (await loadConfig(configPath)).config;
  if (config?.audit?.enabled === false)
    return { state: "unavailable", reason: "the audit log is disabled ([audit] enabled = false)" };
  const path = auditLogPath(config, resolveStateDir(config?.defaults?.state_dir));
  if (!existsSync(path)) return { state: "unavailable", reason: `no audit log at ${path}` };
  const records = countRunRecords(path, runId);
  const result = await verifyAuditFile(path);
  return result.ok
    ? { state: "verified", path, records }
    : { state: "broken", path, line: result.line, reason: result.reason, records };
}

function countRunRecords(path: string, runId: string): number {
  let count = 0;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.includes(runId)) continue;
    try {
      const record = JSON.parse(line) as { run_id?: unknown };
      if (
        typeof record.run_id === "string" &&
        (record.run_id === runId || record.run_id.startsWith(`${runId}.`))
      )
        count += 1;
    } catch {
      // the chain check reports malformed lines
    }
  }
  return count;
}
