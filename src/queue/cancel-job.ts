import type { JobResultLine } from "../jobs/job-result.ts";
import { UnknownJobError } from "./errors.ts";
import { shownState } from "./job-state.ts";
import type { QueueClient } from "./queue-client.ts";
import { bullJobId } from "./queue-settings.ts";

/** How a cancellation ended. */
export type CancelOutcome =
  | { kind: "cancelled"; wasRunning: boolean }
  | { kind: "finished"; state: string }
  | { kind: "still_running" };

const POLL_MS = 100;
const REPUBLISH_MS = 1_000;
const GIVE_UP_MS = 15_000;

/**
 * Cancels a job. A job that has not started (or is parked for approval) is removed from the queue
 * and its result stored as `stopped`/`cancelled`; a running job's worker is told through the
 * queue's events, aborts the run (its tool processes are killed) and stores that result; this
 * waits until it has. A finished job is left as it is.
 */
export async function cancelJob(client: QueueClient, id: string, by: string): Promise<CancelOutcome> {
  const jobId = bullJobId(id);
  const job = await client.queue.getJob(jobId);
  if (!job) {
    if (await client.store.result(jobId))
      return { kind: "finished", state: await shownState(client.store, jobId, undefined) };
    throw new UnknownJobError(`no job "${id}" in queue ${client.target.name}`, { job: id });
  }
  const initial = await job.getState();
  if (initial === "completed" || initial === "failed")
    return { kind: "finished", state: await shownState(client.store, jobId, job) };
  await client.store.markCancelled(jobId, { by, at: new Date().toISOString() });
  if (initial !== "active") {
    try {
      await job.remove();
      const parked = await client.store.parked(jobId);
      if (parked) await client.store.unpark(parked);
      const line: JobResultLine = {
        id,
        run_id: parked?.run_id ?? null,
        status: "stopped",
        answer: "",
        stop_reason: "cancelled",
        usage: parked?.line.usage ?? null,
        refused_calls: parked?.line.refused_calls ?? 0,
      };
      await client.store.writeResult(jobId, {
        ...line,
        attempt: job.attemptsStarted,
        worker: `cancelled by ${by}`,
        finished_at: new Date().toISOString(),
      });
      return { kind: "cancelled", wasRunning: false };
    } catch {
      // It became active meanwhile (a locked job cannot be removed): cancel it where it runs.
    }
  }
  const deadline = Date.now() + GIVE_UP_MS;
  let published = 0;
  while (Date.now() < deadline) {
    if (Date.now() - published >= REPUBLISH_MS) {
      await client.publish({ eventName: "agentry:cancel", jobId });
      published = Date.now();
    }
    const state = await job.getState();
    if (state === "completed" || state === "failed" || state === "unknown") {
      const result = await client.store.result(jobId);
      return result?.stop_reason === "cancelled"
        ? { kind: "cancelled", wasRunning: true }
        : { kind: "finished", state };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { kind: "still_running" };
}
