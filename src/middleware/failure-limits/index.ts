import type { Middleware } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { isToolFailure, STOPPED_BY, STOPS } from "../layer-names.ts";
import { refused } from "../refusal.ts";
import { RunScoped } from "../run-scoped.ts";

export interface FailureLimitsOptions {
  /** Consecutive tool failures allowed in a run (`failures.max_consecutive`). */
  maxConsecutive: number;
  /** Tool failures allowed in a run in total (`failures.max_total`). */
  maxTotal: number;
}

interface Counts {
  consecutive: number;
  total: number;
  exceeded: string | undefined;
}

/**
 * Layer 5: counts tool failures per run (a failed, thrown or timed-out tool; refusals by approval,
 * policy, rate limit, loop detection or an open breaker do not count; a success resets the
 * consecutive count). The failure that exceeds a limit is returned with `halt: "failures"`, and
 * every later call of the run is refused with `halt: "failures"`.
 */
export function failureLimits(options: FailureLimitsOptions): Middleware {
  const runs = new RunScoped<Counts>(() => ({ consecutive: 0, total: 0, exceeded: undefined }));
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
  return (ctx, call, next) => {
    const counts = runs.get(ctx.runId);
    if (counts.exceeded) {
      return refused(
        ctx,
        call,
        STOPS.failures,
        `not run: failure limit exceeded (${counts.exceeded}); the run stops`,
        {
          halt: "failures",
        },
      );
    }
    return next(call).then(
      (result): ToolResult => {
        const exceeded = record(counts, isToolFailure(result));
        if (!exceeded || result.ok) return result;
        ctx.emit({
          type: "warning",
          message: `failure limit exceeded: ${exceeded}; the run stops after this turn`,
          data: { stopped_by: STOPPED_BY.failures, tool: call.name, call_id: call.id, halt: "failures" },
        });
        return {
          ...result,
          error: `${result.error ?? "tool failed"} (failure limit exceeded: ${exceeded}; the run stops)`,
          halt: "failures",
          haltBy: STOPPED_BY.failures,
        };
      },
      (err: unknown) => {
        record(counts, true);
        throw err;
      },
    );
  };
}
