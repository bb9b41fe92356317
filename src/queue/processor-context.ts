import type { Job } from "bullmq";
import type { ApproveMode, Config } from "../config/schema.ts";
import type { JobResultLine } from "../jobs/job-result.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { JobRecord, JobStore } from "./job-store.ts";
import type { ParkedStateCodec } from "./parked-state.ts";
import type { AgentryQueueEvent, QueuedJobData } from "./queue-client.ts";

/** What the processor needs from the worker around it. */
export interface ProcessorContext {
  runtime: Runtime;
  config: Config;
  store: JobStore;
  /** `host:pid`, recorded with every attempt and result. */
  worker: string;
  approve: Exclude<ApproveMode, "ask">;
  publish(event: AgentryQueueEvent): Promise<void>;
  /**
   * Pauses every worker of the queue (BullMQ's limiter) for `ms`, unless a longer pause is on
   * already; `jobId` names the job whose provider answered 429, for the worker's log.
   */
  pauseQueue(ms: number, jobId: string): Promise<void>;
  /** The pause after a run failed on a provider rate limit that gave no Retry-After. */
  rateLimitPauseMs: number;
  /** How a parked run's raw state is kept in Redis (sealed under `[queue] state_secret`, or not). */
  parkedState: ParkedStateCodec;
  /** BullMQ's lock key of a job, checked when a result is stored. */
  lockKey(jobId: string): string;
  /** Called once per job that finished on this worker (for the worker's log). */
  onFinished(line: JobResultLine, job: Job<QueuedJobData, JobRecord>, ms: number): void;
  /** Called when this attempt's run is not the job's result (another attempt's is), and why. */
  onDiscarded(job: Job<QueuedJobData, JobRecord>, why: string): void;
}
