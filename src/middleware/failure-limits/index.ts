import type { Middleware, Next, PipelineCall, PipelineContext } from "../../spec/middleware.ts";
import type { ToolFailure, ToolResult } from "../../spec/tool.ts";
import { isToolFailure, STOPPED_BY, STOPS } from "../layer-names.ts";
import { refused } from "../refusal.ts";
import { RunScoped } from "../run-scoped.ts";
import { thrownResult } from "../thrown-result.ts";

export interface FailureLimitsOptions {
  /** Consecutive tool failures allowed in a run (`failures.max_consecutive`). */
  maxConsecutive: number;
  /** Tool failures allowed in a run in total (`failures.max_total`). */
  maxTotal: number;
}

interface Counts {
  consecutive: number;
  total: number;
  /** Calls started and not yet settled: each might still fail. */
  inFlight: number;
  /** Calls waiting for a slot; woken whenever a call in flight settles. */
  waiting: (() => void)[];
  exceeded: string | undefined;
}

/**
 * Layer 5: counts tool failures per run (a failed, thrown or timed-out tool). Only a success resets
 * the consecutive count: a refusal by approval, policy, rate limit or an open breaker, and a call
 * its run or turn cancelled (`stop.reason: "cancelled"`: killed, or abandoned after the grace),
 * is neither a failure nor a success and leaves the counts as they were (before, a refusal reset
 * the consecutive count, so a model could keep a failing tool going by slipping a denied call
 * between its failures). The failure that
 * exceeds a limit is returned with `halt: "failures"` (a throw as layer 1 would report it, so the
 * halt is not lost), and every later call of the run is refused with `halt: "failures"`.
 *
 * Parallel calls reserve a slot before they run: a call starts only while, even if every call in
 * flight failed, the limits would not be exceeded before it (`total + in flight <= max_total`,
 * likewise for `max_consecutive`); otherwise it waits for a call in flight to settle. So a turn of
 * many parallel failing calls causes no more failures than the same calls one by one: at most
 * `max_total + 1` (the one that exceeds the limit), never all of them.
 */
export function failureLimits(options: FailureLimitsOptions): Middleware {
  const runs = new RunScoped<Counts>(() => ({
    consecutive: 0,
    total: 0,
    inFlight: 0,
    waiting: [],
    exceeded: undefined,
  }));
  const fits = (counts: Counts) =>
    counts.total + counts.inFlight <= options.maxTotal &&
    counts.consecutive + counts.inFlight <= options.maxConsecutive;
  const settle = (counts: Counts, failed: boolean, neutral = false): string | undefined => {
    counts.inFlight -= 1;
    const exceeded = neutral ? undefined : record(counts, failed);
    if (counts.waiting.length > 0) {
      const waiting = counts.waiting;
      counts.waiting = [];
      for (const wake of waiting) wake();
    }
    return exceeded;
  };
  const record = (counts: Counts, failed: boolean): string | undefined => {
    if (!failed) {
      counts.consecutive = 0;
      return undefined;
    }
    counts.consecutive += 1;
    counts.total += 1;
    if (counts.consecutive > options.maxConsecutive) {
      counts.exceeded = `${counts.consecutive} consecutive tool failures (limit ${options.maxConsecutive})`;
    } else if (counts.total > options.maxTotal) {
      counts.exceeded = `${counts.total} tool failures in this run (limit ${options.maxTotal})`;
    }
    return counts.exceeded;
  };
  const refuseExceeded = (ctx: PipelineContext, call: PipelineCall, counts: Counts) =>
    refused(
      ctx,
      call,
      STOPS.failures,
      `not run: failure limit exceeded (${counts.exceeded}); the run stops`,
      {
        halt: "failures",
      },
    );
  const run = (ctx: PipelineContext, call: PipelineCall, next: Next, counts: Counts): Promise<ToolResult> => {
    counts.inFlight += 1;
    return next(call).then(
      (result): ToolResult => {
        const failed = isToolFailure(result);
        const exceeded = settle(counts, failed, !failed && !result.ok);
        if (!exceeded || result.ok) return result;
        return halting(ctx, call, result, exceeded);
      },
      (err: unknown) => {
        const exceeded = settle(counts, true);
        if (!exceeded) throw err;
        // A throw that exceeds a limit must halt too: layer 1 would turn it into a plain error.
        return halting(ctx, call, thrownResult(ctx, call, err), exceeded);
      },
    );
  };
  const halting = (ctx: PipelineContext, call: PipelineCall, result: ToolFailure, exceeded: string) => {
    ctx.emit({
      type: "warning",
      message: `failure limit exceeded: ${exceeded}; the run stops after this turn`,
      data: { stopped_by: STOPPED_BY.failures, tool: call.name, call_id: call.id, halt: "failures" },
    });
    return {
      ...result,
      error: `${result.error} (failure limit exceeded: ${exceeded}; the run stops)`,
      halt: "failures",
      haltBy: STOPPED_BY.failures,
    } satisfies ToolFailure;
  };
  const waitForSlot = async (
    ctx: PipelineContext,
    call: PipelineCall,
    next: Next,
    counts: Counts,
  ): Promise<ToolResult> => {
    while (!counts.exceeded && !fits(counts)) {
      await new Promise<void>((wake) => counts.waiting.push(wake));
    }
    if (counts.exceeded) return refuseExceeded(ctx, call, counts);
    return run(ctx, call, next, counts);
  };
  return (ctx, call, next) => {
    const counts = runs.get(ctx);
    if (counts.exceeded) return refuseExceeded(ctx, call, counts);
    if (!fits(counts)) return waitForSlot(ctx, call, next, counts);
    return run(ctx, call, next, counts);
  };
}
