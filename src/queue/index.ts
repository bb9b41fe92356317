/**
 * agentry's queue as a library (`import … from "agentry/queue"`), for Node ≥ 20 and Bun: the same
 * BullMQ queue as `agentry submit`, `agentry worker` and `agentry jobs`. A host program runs
 * workers with its own runtime (tools defined in code included) and submits jobs; results are
 * stored once per job. On Node, BullMQ's standard client `ioredis` must be installed next to
 * agentry; on Bun, Bun's built-in Redis client is used. A separate entry point, so that
 * `import "agentry"` never loads BullMQ. See docs/WORKERS.md.
 *
 * ```ts
 * const target = resolveQueueTarget("redis://127.0.0.1:6379", loaded.config.queue);
 * const client = await openQueue(target, loaded.config.queue);
 * const worker = await startWorker({ client, runtime, config: loaded.config, concurrency: 4,
 *   approve: "deny", onFinished: () => {}, onError: console.error, onNotice: console.error });
 * await submitJobs(client, [{ id: "a", prompt: "hi" }], { wait: { onLine: console.log } });
 * worker.stop(30_000);
 * await worker.stopped;
 * await client.close();
 * ```
 */

export type { JobResultLine } from "../jobs/job-result.ts";
export type { JobSpec } from "../jobs/job-spec.ts";
export { QueueUnavailableError } from "./errors.ts";
export type { AttemptRecord, JobRecord } from "./job-store.ts";
export { openQueue, type QueueClient } from "./queue-client.ts";
export { type QueueTarget, resolveQueueTarget } from "./queue-url.ts";
export { type SubmitOptions, type SubmitOutcome, submitJobs } from "./submit-jobs.ts";
export { startWorker, type WorkerHost, type WorkerHostOptions } from "./worker-host.ts";
