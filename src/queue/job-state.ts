import type { Job } from "bullmq";
import type { JobRecord, JobStore } from "./job-store.ts";
import type { QueuedJobData } from "./queue-client.ts";

/**
 * A job's state as `agentry jobs` shows it: BullMQ's state, except that a job parked for
 * approval is `awaiting_approval` and a cancelled one `cancelled`; `unknown` when BullMQ no longer
 * holds the job (a cancelled job that had not started is removed from the queue).
 */
export type ShownJobState =
  | "waiting"
  | "active"
  | "delayed"
  | "prioritized"
  | "waiting-children"
  | "completed"
  | "failed"
  | "awaiting_approval"
  | "cancelled"
  | "unknown";

/** The shown state of a job (or of a job id BullMQ no longer holds). */
export async function shownState(
  store: JobStore,
  jobId: string,
  job: Job<QueuedJobData, JobRecord> | undefined,
): Promise<ShownJobState> {
  const state = job ? await job.getState() : "unknown";
  if (state === "delayed" && (await store.parked(jobId))) return "awaiting_approval";
  if (state === "failed" || state === "unknown") {
    const result = await store.result(jobId);
    if (result?.stop_reason === "cancelled") return "cancelled";
  }
  return state;
}
