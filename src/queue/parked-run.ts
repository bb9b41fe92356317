import { DelayedError, type Job } from "bullmq";
import { resultLine } from "../jobs/job-result.ts";
import type { RunResult } from "../runtime/run-request.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { DeferredRunDraft, SealedRunState } from "../state/deferred-runs.ts";
import type { JobRecord, JobStore, ParkedJob, QueueDecision } from "./job-store.ts";
import type { ProcessorContext } from "./processor-context.ts";
import type { QueuedJobData } from "./queue-client.ts";

/** A parked job stays delayed this long unless an approval decision promotes it first. */
const PARK_MS = 365 * 24 * 3600 * 1000;

/** The queue's decisions on a parked job, or undefined while any of its calls is undecided. */
export async function queueDecisions(
  store: JobStore,
  parked: ParkedJob,
): Promise<Map<string, QueueDecision> | undefined> {
  const ids = parked.pending.map((item) => item.approval_id);
  const decisions = await store.decisions(parked.job_id, ids);
  return decisions.size < ids.length ? undefined : decisions;
}

/**
 * Puts a parked run into this worker's state dir, sealed and signed under this worker's state
 * key (unless this worker holds it already), and records the queue's decisions on it through the
 * runtime, which binds each to its exact call and audits it, so `resume` can run it here.
 */
export function restoreDeferredRun(
  ctx: ProcessorContext,
  parked: ParkedJob,
  decisions: Map<string, QueueDecision>,
): void {
  const { runtime } = ctx;
  if (!holdsRun(runtime, parked.run_id)) {
    const draft = parked.run as unknown as DeferredRunDraft;
    runtime.deferred.create(
      { ...draft, pending: draft.pending.map(({ decision: _d, attempt: _a, ...item }) => item) },
      ctx.parkedState.open(parked) as unknown as SealedRunState,
    );
  }
  for (const [approvalId, decision] of decisions) {
    const outcome = runtime.decide(approvalId, {
      decision: decision.decision,
      by: decision.by,
      ...(decision.reason ? { reason: decision.reason } : {}),
    });
    if (!outcome.ok) throw new Error(`approval ${approvalId} cannot be recorded here: ${outcome.reason}`);
  }
}

function holdsRun(runtime: Runtime, runId: string): boolean {
  try {
    runtime.deferred.load(runId);
    return true;
  } catch {
    return false;
  }
}

export function parkedJob(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  result: RunResult,
): ParkedJob {
  const run = ctx.runtime.deferred.load(result.runId);
  const { format: _format, sealed: _sealed, mac: _mac, ...draft } = run;
  const readable = {
    job_id: job.id as string,
    run_id: result.runId,
    run: draft as unknown as Record<string, unknown>,
    pending: run.pending.map((item) => ({
      approval_id: item.approval_id,
      agent: item.agent,
      tool: item.call.name,
      arguments: item.call.arguments,
    })),
  };
  return {
    ...readable,
    parked_at: new Date().toISOString(),
    worker: ctx.worker,
    ...ctx.parkedState.store(
      readable,
      ctx.runtime.deferred.unseal(run) as unknown as Record<string, unknown>,
    ),
    line: resultLine(job.data.spec.id, result),
  };
}

export async function park(
  ctx: ProcessorContext,
  job: Job<QueuedJobData, JobRecord>,
  token: string | undefined,
  parked: ParkedJob,
): Promise<never> {
  await ctx.store.park(parked);
  await job.moveToDelayed(Date.now() + PARK_MS, token);
  await ctx.publish({ eventName: "agentry:parked", jobId: parked.job_id });
  ctx.onFinished(parked.line, job, 0);
  throw new DelayedError();
}
