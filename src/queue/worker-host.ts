import { hostname } from "node:os";
import { type QueueEvents, Worker } from "bullmq";
import type { ApproveMode, Config } from "../config/schema.ts";
import type { JobResultLine } from "../jobs/job-result.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { createProcessor, type JobAbortReason } from "./job-processor.ts";
import type { JobRecord } from "./job-store.ts";
import { parkedStateCodec } from "./parked-state.ts";
import type { AgentryEventsListener, QueueClient, QueuedJobData } from "./queue-client.ts";
import { jobIdOf, workerLimiter } from "./queue-settings.ts";

/** A running `agentry worker`: stop it gracefully, or hand its jobs back at once. */
export interface WorkerHost {
  /** `host:pid`. */
  readonly name: string;
  /** Resolves when the worker has stopped (after `stop`). */
  readonly stopped: Promise<void>;
  /**
   * Stops taking jobs and lets running ones finish for up to `graceMs`; jobs still running then
   * are aborted (their tools killed) and handed back to the queue for another worker.
   */
  stop(graceMs: number): void;
  /** Aborts every running job now and hands it back. */
  handBack(): void;
}

/** How a worker runs its jobs. */
export interface WorkerHostOptions {
  client: QueueClient;
  runtime: Runtime;
  config: Config;
  concurrency: number;
  approve: Exclude<ApproveMode, "ask">;
  onFinished(line: JobResultLine, ms: number): void;
  onError(message: string): void;
  /** Told when this worker paused the queue for a provider rate limit. */
  onNotice(message: string): void;
}

/**
 * Starts a BullMQ worker on the queue, with the lock, stall and retention settings of `[queue]`,
 * a limiter always (`[queue] limiter`, else one that only carries queue-wide pauses after a
 * provider 429), a listener for `agentry jobs cancel` that aborts the named job if it runs here,
 * and the abort of a job whose lock this worker could not renew.
 */
export async function startWorker(options: WorkerHostOptions): Promise<WorkerHost> {
  const { client } = options;
  const name = `${hostname()}:${process.pid}`;
  const parkedState = parkedStateCodec(options.config.queue);
  const events: QueueEvents = await client.events();
  const { settings } = client;
  const worker = new Worker<QueuedJobData, JobRecord>(
    client.target.name,
    createProcessor({
      runtime: options.runtime,
      config: options.config,
      store: client.store,
      worker: name,
      approve: options.approve,
      publish: (event) => client.publish(event),
      pauseQueue: async (ms, jobId) => {
        if ((await client.queue.getRateLimitTtl(Number.MAX_SAFE_INTEGER)) >= ms) return;
        await client.queue.rateLimit(ms);
        options.onNotice(
          `provider rate limit (job ${jobIdOf(jobId)}): every worker of the queue pauses for ${Math.ceil(ms / 1000)}s`,
        );
      },
      rateLimitPauseMs: settings.rateLimitPauseMs,
      parkedState,
      lockKey: (jobId) => `${client.queue.toKey(jobId)}:lock`,
      onFinished: (line, _job, ms) => options.onFinished(line, ms),
      onDiscarded: (job, why) =>
        options.onNotice(
          `job ${jobIdOf(job.id as string)}: attempt ${job.attemptsStarted} discarded (${why})`,
        ),
    }),
    {
      connection: client.link.bullConnection(),
      concurrency: options.concurrency,
      lockDuration: settings.lockDuration,
      stalledInterval: settings.stalledInterval,
      maxStalledCount: settings.maxStalledCount,
      limiter: workerLimiter(settings),
      ...(settings.keepFinished
        ? { removeOnComplete: settings.keepFinished, removeOnFail: settings.keepFinished }
        : {}),
      name,
      autorun: false,
    },
  );
  worker.on("error", (err) => options.onError(err.message));
  worker.on("lockRenewalFailed", (jobIds: string[]) => {
    for (const jobId of jobIds) worker.cancelJob(jobId, "lock_lost" satisfies JobAbortReason);
  });
  events.on<AgentryEventsListener>("agentry:cancel", ({ jobId }: { jobId: string }) => {
    worker.cancelJob(jobId, "cancelled" satisfies JobAbortReason);
  });
  const running = worker.run();
  await worker.waitUntilReady();
  let stopping: Promise<void> | undefined;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  const handBack = () => worker.cancelAllJobs("shutdown" satisfies JobAbortReason);
  return {
    name,
    stopped,
    stop(graceMs) {
      if (stopping) return;
      const timer = setTimeout(handBack, graceMs);
      stopping = (async () => {
        await worker.close();
        clearTimeout(timer);
        await running.catch(() => undefined);
        await events.close();
        resolveStopped();
      })();
    },
    handBack,
  };
}
