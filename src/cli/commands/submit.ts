import type { Command } from "commander";
import type { JobResultLine } from "../../jobs/job-result.ts";
import { submitJobs } from "../../queue/submit-jobs.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { handleInterrupts } from "../interrupts.ts";
import { readJobsFile } from "../jobs-input.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { openCliQueue, type QueueOptions } from "../queue-session.ts";

interface SubmitOptions extends QueueOptions {
  wait?: boolean;
}

/**
 * `agentry submit [JOBS.jsonl|-] --queue URL [--wait]`: enqueues `batch`-format jobs. A job's id
 * is its idempotency key: a job whose id the queue already holds is not added again. With
 * `--wait`, streams one JSONL result line per job to stdout as jobs finish (like `batch`) and
 * exits like `batch`: 0 when every job is ok, 1 otherwise, 130 when interrupted (the jobs keep
 * running on the workers).
 */
export default async function submitCommand(
  file: string,
  options: SubmitOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  const jobs = await readJobsFile(file);
  const { client } = await openCliQueue(options);
  const controller = new AbortController();
  let removeHandlers: (() => void) | undefined;
  let notOk = 0;
  let seen = 0;
  try {
    await submitJobs(client, jobs, {
      onAdded: ({ added, known }) => {
        if (!options.quiet)
          writeInfo(
            `submitted ${added} job(s) to ${client.target.display} (queue ${client.target.name})${known > 0 ? `; ${known} already known, not added again` : ""}`,
          );
        if (options.wait)
          removeHandlers = handleInterrupts({
            controller,
            flushSync: () => undefined,
            signals: ["SIGINT", "SIGTERM"],
            notice: () => (options.quiet ? undefined : "stopped waiting; the jobs go on in the queue"),
          });
      },
      ...(options.wait
        ? {
            wait: {
              onLine: (line: JobResultLine) => {
                seen += 1;
                if (line.status !== "ok") notOk += 1;
                writeAnswer(`${JSON.stringify(line)}\n`);
              },
              signal: controller.signal,
            },
          }
        : {}),
    });
  } finally {
    removeHandlers?.();
    await client.close();
  }
  if (!options.wait) return ExitCode.ok;
  if (controller.signal.aborted) {
    writeInfo(`interrupted: ${seen} of ${jobs.length} results received`);
    return ExitCode.interrupted;
  }
  if (!options.quiet) writeInfo(`${jobs.length - notOk} ok, ${notOk} not ok`);
  return notOk === 0 ? ExitCode.ok : ExitCode.agentFailed;
}
