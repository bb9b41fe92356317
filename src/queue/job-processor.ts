import { DelayedError, type Job, type Processor, UnrecoverableError, WaitingError, Worker } from "bullmq";
import type { Budget } from "../agent/usage-meter.ts";
import type { Config } from "../config/schema.ts";
import { randomHex } from "../digest/random.ts";
import { failedLine, type JobResultLine, resultLine } from "../jobs/job-result.ts";
import { jobSpecSchema } from "../jobs/job-spec.ts";
import { isSubAgentRunId } from "../runtime/run-id.ts";
import type { RunResult } from "../runtime/run-request.ts";
import type { RunEvent } from "../spec/events.ts";
import { RunStop } from "../spec/run-stop.ts";
import type { Completion, JobLock, JobRecord } from "./job-store.ts";
import { park, parkedJob, queueDecisions, restoreDeferredRun } from "./parked-run.ts";
import type { ProcessorContext } from "./processor-context.ts";
import type { QueuedJobData } from "./queue-client.ts";
import { jobIdOf } from "./queue-settings.ts";

/**
 * Why a worker aborts a running job: a user cancelled it, the worker is stopping, or the worker
 * could not renew its lock on the job (another worker may run it now).
 */
export type JobAbortReason = "cancelled" | "shutdown" | "lock_lost";

/** A job stopped by provider rate limits is started at most this many times. */
const MAX_RATE_LIMITED_STARTS = 10;
/** Progress is reported at most this often per job. */
const PROGRESS_EVERY_MS = 1_000;

/**
 * The BullMQ processor of `agentry worker`. A job runs with the worker's configuration (same
 * governance, audit and budgets; a job's own budget can only lower the configured one). Its result
 * is stored once: an attempt that finds a result already stored returns that one. A run that
 * awaits approval parks the job (delayed, with the deferred run in the queue's store) until
 * `agentry approvals … --queue` decides; a cancelled job stops its run (tools killed) and fails
 * without retry; a worker that stops hands its running jobs back to the queue.
 */
export function createProcessor(ctx: ProcessorContext): Processor<QueuedJobData, JobRecord> {
  return async (job, token, signal) => {
    const jobId = job.id as string;
    const attempt = {
      attempt: job.attemptsStarted,
      worker: ctx.worker,
      started_at: new Date().toISOString(),
    };
    await ctx.store.recordAttempt(jobId, attempt);
    const stored = await ctx.store.result(jobId);
    if (stored) return stored;
    const invalid = invalidSpec(job.data?.spec);
    if (invalid) return refuseJob(ctx, job, token, invalid);
    const started = performance.now();
    const cancelled = await ctx.store.cancelled(jobId);
    if (cancelled) return finishCancelled(ctx, job, token, `cancelled by ${cancelled.by}`);
    const controller = new AbortController();
    const onAbort = () =>
      controller.abort(
        new RunStop(
          signal?.reason === "shutdown" || signal?.reason === "lock_lost" ? "interrupted" : "cancelled",
          String(signal?.reason),
        ),
      );
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const parked = await ctx.store.parked(jobId);
    let result: RunResult;
    try {
      const decisions = parked ? await queueDecisions(ctx.store, parked) : undefined;
      if (parked && !decisions) return await park(ctx, job, token, parked);
      if (parked) await ctx.store.recordAttempt(jobId, { ...attempt, run_id: parked.run_id, resumed: true });
      const report = progressReporter(ctx, job, (runId) =>
        parked ? undefined : ctx.store.recordAttempt(jobId, { ...attempt, run_id: runId }),
      );
      const onEvent = (event: RunEvent) => {
        report(event);
        const pause = retryPauseMs(event);
        if (pause !== undefined) void ctx.pauseQueue(pause, jobId).catch(() => undefined);
      };
      if (parked && decisions) {
        restoreDeferredRun(ctx, parked, decisions);
        result = await ctx.runtime.resume(parked.run_id, {
          approve: ctx.approve,
          signal: controller.signal,
          onEvent,
        });
      } else {
        const { spec } = job.data;
        const target = spec.agent ?? ctx.config.defaults?.agent;
        result = await ctx.runtime.run({
          runId: attemptRunId(jobId, job.attemptsStarted),
          ...(spec.agent ? { target: spec.agent } : {}),
          prompt: spec.prompt,
          ...(spec.vars ? { vars: spec.vars } : {}),
          budget: jobBudget(spec.budget, target ? configuredBudget(ctx.config, target) : undefined),
          approve: ctx.approve,
          signal: controller.signal,
          onEvent,
        });
      }
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
        await ctx.store.complete(
          jobId,
          record(ctx, job, failedLine(job.data.spec.id, err)),
          lockOf(ctx, job, token),
        );
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (signal?.aborted && signal.reason === "shutdown") {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (signal?.aborted && signal.reason === "lock_lost") {
      const stored = await ctx.store.result(jobId);
      return discard(ctx, job, stored ? { outcome: "stored", record: stored } : { outcome: "lost" });
    }
    if (signal?.aborted) return finishCancelled(ctx, job, token, String(signal.reason), result);
    if (result.status === "awaiting_approval") {
      if (parked) await ctx.store.unpark(parked);
      return await park(ctx, job, token, parkedJob(ctx, job, result));
    }
    if (isRateLimited(result) && job.attemptsStarted < MAX_RATE_LIMITED_STARTS) {
      const asked = result.error?.data["retry_after_ms"];
      await ctx.pauseQueue(typeof asked === "number" ? asked : ctx.rateLimitPauseMs, jobId);
      throw Worker.RateLimitError();
    }
    if (parked) await ctx.store.unpark(parked);
    const line = resultLine(job.data.spec.id, result);
    const completion = await ctx.store.complete(jobId, record(ctx, job, line), lockOf(ctx, job, token));
    if (completion.outcome !== "written") return discard(ctx, job, completion);
    ctx.onFinished(completion.record, job, performance.now() - started);
    return completion.record;
  };
}

/**
 * Why a job's data, as read from Redis, is not a job line `agentry submit` would have sent, or
 * undefined when it is one. Anything that can write to Redis can add a job, so the worker checks
 * the line itself: a budget that is not a positive number would otherwise compare as NaN and lift
 * the configured budget.
 */
function invalidSpec(spec: unknown): string | undefined {
  const parsed = jobSpecSchema.safeParse(spec);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join(".") || "job"}: ${issue?.message}`;
}

/** Stores a failed result for a job whose data is not a valid job line and fails it without retry; nothing runs. */
async function refuseJob(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  token: string | undefined,
  why: string,
): Promise<never> {
  const error = new Error(`invalid job in the queue: ${why}`);
  const spec: unknown = job.data?.spec;
  const id = spec !== null && typeof spec === "object" && "id" in spec ? String(spec.id) : String(job.id);
  const line = failedLine(id, error);
  const completion = await ctx.store.complete(
    job.id as string,
    record(ctx, job, line),
    lockOf(ctx, job, token),
  );
  if (completion.outcome === "written") ctx.onFinished(completion.record, job, 0);
  throw new UnrecoverableError(error.message);
}

function lockOf(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  token: string | undefined,
): JobLock {
  return { key: ctx.lockKey(job.id as string), token: token ?? "" };
}

/**
 * An attempt whose run is not the job's result: another attempt's result is stored (returned, so
 * the job completes with it), or another worker holds the job now (this attempt fails; BullMQ
 * refuses the move, as this worker no longer holds the lock, and leaves the job to its holder).
 */
async function discard(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  completion: Exclude<Completion, { outcome: "written" }>,
): Promise<JobRecord> {
  if (completion.outcome === "stored") {
    ctx.onDiscarded(
      job,
      `attempt ${completion.record.attempt} on ${completion.record.worker || "the queue"} stored the result first`,
    );
    return completion.record;
  }
  ctx.onDiscarded(job, "its lock expired and another worker took the job over");
  throw new Error(`job ${job.id} is held by another worker now`);
}

function record(ctx: ProcessorContext, job: Job<QueuedJobData, JobRecord>, line: JobResultLine): JobRecord {
  return {
    ...line,
    attempt: job.attemptsStarted,
    worker: ctx.worker,
    finished_at: new Date().toISOString(),
  };
}

async function finishCancelled(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  token: string | undefined,
  why: string,
  result?: RunResult,
): Promise<never> {
  const line: JobResultLine = result
    ? { ...resultLine(job.data.spec.id, result), status: "stopped", stop_reason: "cancelled" }
    : {
        id: job.data.spec.id,
        run_id: null,
        status: "stopped",
        answer: "",
        stop_reason: "cancelled",
        usage: null,
        refused_calls: 0,
      };
  const completion = await ctx.store.complete(
    job.id as string,
    record(ctx, job, line),
    lockOf(ctx, job, token),
  );
  if (completion.outcome === "written") ctx.onFinished(completion.record, job, 0);
  throw new UnrecoverableError(why.startsWith("cancelled") ? why : `cancelled (${why})`);
}

/**
 * The run's event listener: records the attempt with its run id when the run starts, and reports
 * progress (turns, tool calls) at most once per `PROGRESS_EVERY_MS`.
 */
function progressReporter(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  onStart: (runId: string) => Promise<void> | undefined,
): (event: RunEvent) => void {
  let turns = 0;
  let toolCalls = 0;
  let last = performance.now();
  let started = false;
  return (event) => {
    if (!started) {
      started = true;
      void onStart(event.run_id);
    }
    if (event.type === "usage") turns += 1;
    if (event.type === "tool_call") toolCalls += 1;
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    void job.updateProgress({ run_id: event.run_id, worker: ctx.worker, turns, tool_calls: toolCalls });
  };
}

/**
 * How long a provider's 429 seen in the middle of a run pauses the whole queue: the provider's
 * Retry-After when it gave one, else the backoff the run itself waits before retrying. Undefined
 * for any other event.
 */
function retryPauseMs(event: RunEvent): number | undefined {
  if (event.type !== "warning" || event.data?.["error_kind"] !== "rate_limit") return undefined;
  const asked = event.data["retry_after_ms"] ?? event.data["delay_ms"];
  return typeof asked === "number" && asked > 0 ? asked : undefined;
}

/**
 * The run id of a job's attempt: `job.<job id>.<attempt>.<random>`, so that an audit record, a run
 * record or `agentry runs` names the job and attempt it belongs to. Characters a run id cannot
 * hold become `_` (the queue keeps the exact mapping: `agentry jobs show`). `<random>` is six hex
 * digits, never all decimal: a run id ending in `.<digits>` has the form of a sub-agent run's,
 * which the runtime refuses.
 */
export function attemptRunId(bullId: string, attempt: number): string {
  const id = jobIdOf(bullId)
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 96);
  let runId: string;
  do runId = `job.${id}.${attempt}.${randomHex(3)}`;
  while (isSubAgentRunId(runId));
  return runId;
}

function isRateLimited(result: RunResult): boolean {
  return result.status === "failed" && result.error?.data["kind"] === "rate_limit";
}

function configuredBudget(config: Config, target: string): Budget | undefined {
  return config.agents?.[target]?.budget ?? config.defaults?.budget;
}

/** A job's budget can lower the configured one, never raise it. */
function jobBudget(own: Budget | undefined, configured: Budget | undefined): Budget | undefined {
  const pick = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const usd = pick(own?.usd, configured?.usd);
  const tokens = pick(own?.tokens, configured?.tokens);
  if (usd === undefined && tokens === undefined) return undefined;
  return { ...(usd !== undefined ? { usd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}
