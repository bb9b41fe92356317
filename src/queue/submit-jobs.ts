import type { QueueEvents } from "bullmq";
import type { JobResultLine } from "../jobs/job-result.ts";
import type { JobSpec } from "../jobs/job-spec.ts";
import type { QueueClient } from "./queue-client.ts";
import { bullJobId } from "./queue-settings.ts";
import { waitForResults } from "./wait-results.ts";

/** Jobs are added to the queue this many at a time (one round trip each). */
const ADD_CHUNK = 500;

/** What `submitJobs` did: jobs added, and jobs whose id the queue already held (not added again). */
export interface SubmitOutcome {
  added: number;
  known: number;
}

/** How `submitJobs` reports: once the jobs are added, then (with `wait`) each job's line once. */
export interface SubmitOptions {
  onAdded?(outcome: SubmitOutcome): void;
  wait?: {
    onLine(line: JobResultLine): void;
    /** Stops waiting (the jobs go on in the queue). */
    signal?: AbortSignal;
  };
}

/**
 * Enqueues jobs (`agentry submit`). A job's id is its idempotency key: a job whose id the queue
 * already holds, in any state, is not added again. With `wait`, resolves once every job has a
 * result line (or a parked job its `awaiting_approval` line), each passed to `onLine` once, or
 * when `wait.signal` aborts; the events stream is opened before the jobs are added, so no result
 * is missed.
 */
export async function submitJobs(
  client: QueueClient,
  jobs: JobSpec[],
  options: SubmitOptions = {},
): Promise<SubmitOutcome> {
  const { wait } = options;
  let events: QueueEvents | undefined;
  try {
    if (wait) events = await client.events();
    const known = new Set<string>();
    for (let at = 0; at < jobs.length; at += ADD_CHUNK) {
      const chunk = jobs.slice(at, at + ADD_CHUNK);
      const existing = await Promise.all(chunk.map((job) => client.queue.getJob(bullJobId(job.id))));
      for (const job of existing) if (job?.id) known.add(job.id);
      await client.queue.addBulk(
        chunk.map((spec) => ({ name: "run", data: { spec }, opts: { jobId: bullJobId(spec.id) } })),
      );
    }
    const outcome = { added: jobs.length - known.size, known: known.size };
    options.onAdded?.(outcome);
    if (!wait || !events) return outcome;
    await waitForResults(
      client,
      events,
      jobs.map((job) => bullJobId(job.id)),
      wait.onLine,
      wait.signal ?? new AbortController().signal,
    );
    return outcome;
  } finally {
    await events?.close();
  }
}
