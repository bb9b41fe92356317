import type { QueueEvents } from "bullmq";
import type { Command } from "commander";
import { bullJobId } from "../../queue/queue-settings.ts";
import { waitForResults } from "../../queue/wait-results.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { handleInterrupts } from "../interrupts.ts";
import { readJobsFile } from "../jobs-input.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { openCliQueue, type QueueOptions } from "../queue-session.ts";

interface SubmitOptions extends QueueOptions {
  wait?: boolean;
}

/** Jobs are added to the queue this many at a time (one round trip each). */
const ADD_CHUNK = 500;

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
  let events: QueueEvents | undefined;
  try {
    if (options.wait) events = await client.events();
    const bullIds = jobs.map((job) => bullJobId(job.id));
    const known = new Set<string>();
    for (let at = 0; at < jobs.length; at += ADD_CHUNK) {
      const chunk = jobs.slice(at, at + ADD_CHUNK);
      const existing = await Promise.all(chunk.map((job) => client.queue.getJob(bullJobId(job.id))));
      for (const job of existing) if (job?.id) known.add(job.id);
      await client.queue.addBulk(
        chunk.map((spec) => ({ name: "run", data: { spec }, opts: { jobId: bullJobId(spec.id) } })),
      );
    }
    if (!options.quiet) {
      const added = jobs.length - known.size;
      writeInfo(
        `submitted ${added} job(s) to ${client.target.display} (queue ${client.target.name})${known.size > 0 ? `; ${known.size} already known, not added again` : ""}`,
      );
    }
    if (!events) return ExitCode.ok;
    const controller = new AbortController();
    const removeHandlers = handleInterrupts({
      controller,
      flushSync: () => undefined,
      signals: ["SIGINT", "SIGTERM"],
      notice: () => (options.quiet ? undefined : "stopped waiting; the jobs go on in the queue"),
    });
    let notOk = 0;
    let seen = 0;
    try {
      await waitForResults(
        client,
        events,
        bullIds,
        (line) => {
          seen += 1;
          if (line.status !== "ok") notOk += 1;
          writeAnswer(`${JSON.stringify(line)}\n`);
        },
        controller.signal,
      );
    } finally {
      removeHandlers();
    }
    if (controller.signal.aborted) {
      writeInfo(`interrupted: ${seen} of ${jobs.length} results received`);
      return ExitCode.interrupted;
    }
    if (!options.quiet) writeInfo(`${jobs.length - notOk} ok, ${notOk} not ok`);
    return notOk === 0 ? ExitCode.ok : ExitCode.agentFailed;
  } finally {
    await events?.close();
    await client.close();
  }
}
