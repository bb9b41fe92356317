import type { QueueConfig } from "../config/schema.ts";

/**
 * How BullMQ treats agent runs, which last minutes rather than milliseconds. A worker renews its
 * lock on a job every `lockDuration / 2` while the run goes on, however long it takes; the lock
 * only expires when the worker stops renewing it (it died or its event loop hung that long), and
 * the next stalled check (every `stalledInterval`) hands the job to another worker.
 */
export interface QueueSettings {
  /** Default 60 s: long enough to ride out a multi-second GC pause or a blocked event loop. */
  lockDuration: number;
  /** Default 30 s: a dead worker's jobs resume elsewhere within lockDuration + stalledInterval. */
  stalledInterval: number;
  /** Default 2: a job whose worker died twice is handed out once more, then fails. */
  maxStalledCount: number;
  /** Default 3: attempts of a job that threw (its run could not start or finish). */
  attempts: number;
  /** BullMQ's global limiter: jobs started per `duration` ms across every worker. */
  limiter?: { max: number; duration: number };
  /** Default 30 s: how long a provider rate limit without Retry-After pauses every worker. */
  rateLimitPauseMs: number;
  /**
   * BullMQ's `removeOnComplete` / `removeOnFail` of the workers: keep at most `count` finished
   * jobs, none older than `age` seconds. Undefined keeps every finished job.
   */
  keepFinished?: KeepFinished;
}

/** BullMQ's `KeepJobs`: at most `count` jobs, none older than `age` seconds. */
export type KeepFinished = { age: number; count?: number } | { count: number };

/**
 * The limiter a worker runs with when `[queue] limiter` is not set: it caps nothing (2^40 jobs a
 * minute), but BullMQ honours a queue-wide pause (`Queue.rateLimit`) only in workers that have a
 * limiter, so without it one worker's provider 429 would pause that worker alone.
 */
export const PAUSE_ONLY_LIMITER = { max: 2 ** 40, duration: 60_000 } as const;

/** The limiter every worker of the queue uses: `[queue] limiter`, else `PAUSE_ONLY_LIMITER`. */
export function workerLimiter(settings: QueueSettings): { max: number; duration: number } {
  return settings.limiter ?? PAUSE_ONLY_LIMITER;
}

/** `[queue]` settings with the defaults above. */
export function queueSettings(config: QueueConfig | undefined): QueueSettings {
  const keepFinished = config?.keep_finished ? keepJobs(config.keep_finished) : undefined;
  return {
    lockDuration: config?.lock_duration ?? 60_000,
    stalledInterval: config?.stalled_interval ?? 30_000,
    maxStalledCount: config?.max_stalled ?? 2,
    attempts: config?.attempts ?? 3,
    ...(config?.limiter ? { limiter: { max: config.limiter.max, duration: config.limiter.duration } } : {}),
    rateLimitPauseMs: config?.rate_limit_pause ?? 30_000,
    ...(keepFinished ? { keepFinished } : {}),
  };
}

function keepJobs(keep: { count?: number; age?: number }): KeepFinished | undefined {
  if (keep.age !== undefined)
    return { age: Math.ceil(keep.age / 1000), ...(keep.count !== undefined ? { count: keep.count } : {}) };
  return keep.count !== undefined ? { count: keep.count } : undefined;
}

/**
 * BullMQ's id of a job: the job's own id made safe for BullMQ, which refuses integer-looking ids
 * and `:`. Reversible, so the same job id always maps to the same BullMQ id (idempotent submit).
 */
export function bullJobId(jobId: string): string {
  return `j${encodeURIComponent(jobId)}`;
}

/** The job id behind a BullMQ id made by `bullJobId`. */
export function jobIdOf(bullId: string): string {
  return decodeURIComponent(bullId.slice(1));
}
