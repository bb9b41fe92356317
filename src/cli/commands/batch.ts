import type { Command } from "commander";
import { failedLine, resultLine } from "../../jobs/job-result.ts";
import type { JobSpec } from "../../jobs/job-spec.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { readJobsFile } from "../jobs-input.ts";
import type { RunOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { exitCodeAfterRefusals, requestFromFlags } from "../run-options.ts";
import { openCliRun } from "../run-session.ts";
import { restartForManyRuns } from "../start-up-settings.ts";

/**
 * `agentry batch JOBS.jsonl` (`-` reads the jobs from stdin): many independent runs in one
 * process, `--concurrency` at a time. Results go to stdout as JSONL in completion order, each with
 * the job's `id` and its `run_id` (as in the audit log); progress to stderr. One job's failure never
 * affects another; Ctrl-C stops the rest and reports which jobs finished.
 */
export default async function batchCommand(
  file: string,
  options: RunOptions,
  command: Command,
): Promise<ExitCodeValue> {
  rejectIgnoredOptions(options, command);
  const concurrency = Number(options.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency <= 0) {
    throw new UsageError(`--concurrency: expected a positive integer, found "${options.concurrency}"`);
  }
  // Before the jobs are read: a restarted process could not read them from stdin again.
  restartForManyRuns(concurrency, { ftl: false });
  const jobs = await readJobsFile(file);
  const session = await openCliRun(
    { ...options, approve: options.approve ?? "deny" },
    { events: false, concurrency: Math.min(concurrency, jobs.length) },
  );
  const flags = requestFromFlags(options);
  const finished: string[] = [];
  let failed = 0;
  let refused = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !session.signal.aborted) {
      const job = jobs[next++] as JobSpec;
      const line = await runJob(job);
      if (line.status !== "ok") failed += 1;
      refused += line.refused_calls;
      finished.push(job.id);
      writeAnswer(`${JSON.stringify(line)}\n`);
      if (!options.quiet) writeInfo(`[${finished.length}/${jobs.length}] ${line.status} ${job.id}`);
    }
  };
  const runJob = async (job: JobSpec) => {
    try {
      const result = await session.runtime.run({
        ...flags,
        ...(job.agent ? { target: job.agent } : {}),
        prompt: job.prompt,
        ...(job.vars ? { vars: { ...flags.vars, ...job.vars } } : {}),
        ...(job.budget ? { budget: job.budget } : {}),
        signal: session.signal,
        ephemeral: true,
      });
      return resultLine(job.id, result);
    } catch (err) {
      return failedLine(job.id, err);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  } finally {
    await session.close();
  }
  if (session.signal.aborted) {
    writeInfo(
      `interrupted: ${finished.length} of ${jobs.length} jobs finished (${finished.join(", ") || "none"})`,
    );
    return ExitCode.interrupted;
  }
  if (!options.quiet) writeInfo(`${jobs.length - failed} ok, ${failed} not ok`);
  return exitCodeAfterRefusals(failed === 0 ? ExitCode.ok : ExitCode.agentFailed, refused, options);
}

/**
 * Options `run` has that batch cannot honour are refused (exit 2) rather than silently ignored:
 * its stdout is always one JSON line per job, and every job runs without a session.
 */
function rejectIgnoredOptions(options: RunOptions, command: Command): void {
  if (command.getOptionValueSource("output") === "cli") {
    throw new UsageError(`batch does not take --output (${options.output})`, {
      hint: "batch always writes one JSON object per job to stdout (id, status, answer, stop_reason, usage, run_id)",
    });
  }
  if (options.session !== undefined) {
    throw new UsageError("batch does not take --session", {
      hint: "every job runs on its own, without a saved conversation; use agentry run --session ID for one",
    });
  }
}
