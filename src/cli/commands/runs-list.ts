import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import type { RunSummary } from "../../state/run-records.ts";
import type { CommonOptions } from "../main.ts";
import { formatDuration, formatUsd } from "../render/format.ts";
import { type CommandWithGlobals, withGlobals } from "./audit-verify.ts";
import { runRecordsFor } from "./runs-store.ts";

/** Filters of `agentry runs list`. */
export interface RunsListOptions extends CommonOptions {
  agent?: string;
  status?: string;
  since?: string;
  limit?: string;
  json?: boolean;
}

const SINCE = /^(\d+)([smhd])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `agentry runs list`: recorded runs, newest first (id, agent, status, started, duration, turns,
 * tokens, cost) on stdout; `--agent`, `--status`, `--since 2h|ISO-date`, `--limit N` (default 50)
 * filter; `--json` prints the summaries as a JSON array.
 */
export default async function runsListCommand(
  ownOptions: RunsListOptions,
  command?: CommandWithGlobals,
): Promise<ExitCodeValue> {
  const options = withGlobals(ownOptions, command);
  const records = await runRecordsFor(options);
  const since = options.since === undefined ? undefined : sinceMs(options.since);
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError(`--limit must be a positive integer, got "${options.limit}"`);
  const runs = records
    .list()
    .filter(
      (run) =>
        (options.agent === undefined || run.agent === options.agent) &&
        (options.status === undefined || run.status === options.status) &&
        (since === undefined || Date.parse(run.started) >= since),
    )
    .slice(0, limit);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(runs.map(withoutPid), null, 2)}\n`);
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    process.stdout.write("no runs recorded\n");
    return ExitCode.ok;
  }
  const table = [
    ["ID", "AGENT", "STATUS", "STARTED", "DURATION", "TURNS", "TOKENS", "COST"],
    ...runs.map((run) => [
      run.run_id,
      run.agent,
      run.stop_reason && run.stop_reason !== "answer" ? `${run.status} (${run.stop_reason})` : run.status,
      run.started.replace("T", " ").replace(/\.\d+Z$/, "Z"),
      run.duration_ms === undefined ? "-" : formatDuration(run.duration_ms),
      run.turns === undefined ? "-" : String(run.turns),
      run.usage ? String(run.usage.input_tokens + run.usage.output_tokens) : "-",
      run.usage ? formatUsd(run.usage.cost_usd) : "-",
    ]),
  ];
  const widths = (table[0] as string[]).map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? "").length)),
  );
  for (const row of table) {
    process.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
  return ExitCode.ok;
}

function withoutPid(run: RunSummary): Omit<RunSummary, "pid"> {
  const { pid: _pid, ...rest } = run;
  return rest;
}

function sinceMs(text: string): number {
  const relative = SINCE.exec(text.trim());
  if (relative) return Date.now() - Number(relative[1]) * (UNIT_MS[relative[2] as string] ?? 0);
  const absolute = Date.parse(text);
  if (Number.isNaN(absolute))
    throw new UsageError(`--since takes a duration (30m, 2h, 7d) or a date, got "${text}"`);
  return absolute;
}
