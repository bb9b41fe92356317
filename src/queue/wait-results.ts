import type { QueueEvents } from "bullmq";
import { failedLine, type JobResultLine } from "../jobs/job-result.ts";
import { JobFailedError } from "./errors.ts";
import type { AgentryEventsListener, QueueClient } from "./queue-client.ts";
import { jobIdOf } from "./queue-settings.ts";

/** How often every job still awaited is looked up, in case an event was missed or trimmed. */
const SWEEP_MS = 1_000;

/**
 * Streams each job's result line once, as soon as the job finishes (its stored result), parks
 * awaiting approval (`awaiting_approval`, like `batch`), or fails for good without a result (its
 * worker died more often than `[queue] max_stalled` allows). `events` must have been opened before
 * the jobs were added. Resolves when every job has a line, or when `signal` aborts.
 */
export async function waitForResults(
  client: QueueClient,
  events: QueueEvents,
  bullIds: string[],
  onLine: (line: JobResultLine) => void,
  signal: AbortSignal,
): Promise<void> {
  const awaited = new Set(bullIds);
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const emit = (jobId: string, line: JobResultLine) => {
    if (!awaited.delete(jobId)) return;
    onLine(line);
    if (awaited.size === 0) finish();
  };
  const check = async (ids: string[]) => {
    const results = await client.store.results(ids);
    for (const [index, result] of results.entries()) {
      const jobId = ids[index] as string;
      if (result) {
        const { attempt: _attempt, worker: _worker, finished_at: _at, ...line } = result;
        emit(jobId, line);
        continue;
      }
      const parked = await client.store.parked(jobId);
      if (parked) emit(jobId, parked.line);
    }
  };
  const checkFailed = async (jobId: string) => {
    await check([jobId]);
    if (!awaited.has(jobId)) return;
    const job = await client.queue.getJob(jobId);
    if (!job || (await job.getState()) !== "failed") return;
    const written = await client.store.writeResult(jobId, {
      ...failedLine(jobIdOf(jobId), new JobFailedError(job.failedReason || "the job failed")),
      attempt: job.attemptsStarted,
      worker: "",
      finished_at: new Date().toISOString(),
    });
    const { attempt: _attempt, worker: _worker, finished_at: _at, ...line } = written;
    emit(jobId, line);
  };
  const onSettled = ({ jobId }: { jobId: string }) => {
    if (awaited.has(jobId)) void check([jobId]);
  };
  events.on("completed", onSettled);
  events.on<AgentryEventsListener>("agentry:parked", onSettled);
  events.on("failed", ({ jobId }: { jobId: string }) => {
    if (awaited.has(jobId)) void checkFailed(jobId);
  });
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const ids = [...awaited];
      for (let at = 0; at < ids.length; at += 500) await check(ids.slice(at, at + 500));
      if (awaited.size > 0 && (await client.queue.getFailedCount()) > 0) {
        for (const job of await client.queue.getFailed(0, 999))
          if (job?.id && awaited.has(job.id)) await checkFailed(job.id);
      }
    } finally {
      sweeping = false;
    }
  };
  const onAbort = () => finish();
  signal.addEventListener("abort", onAbort, { once: true });
  await sweep();
  const timer = setInterval(() => void sweep(), SWEEP_MS);
  try {
    if (awaited.size > 0 && !signal.aborted) await done;
  } finally {
    clearInterval(timer);
    signal.removeEventListener("abort", onAbort);
  }
}
