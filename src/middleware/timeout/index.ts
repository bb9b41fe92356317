import type { Middleware } from "../../spec/middleware.ts";
import { describeStop } from "../../spec/run-stop.ts";
import type { ToolFailure, ToolResult } from "../../spec/tool.ts";
import { type PipelineClock, systemClock } from "../clock.ts";
import { STOPS } from "../layer-names.ts";
import { createDeadlines } from "./deadlines.ts";

/**
 * How long a call may take to wind down after it was cancelled (its run stopped, or a sibling of
 * its turn failed hard) before this layer abandons it. A tool that honours its AbortSignal
 * finishes well within it.
 */
export const CANCEL_GRACE_MS = 1000;

export interface TimeoutOptions {
  /** `policy.tool_timeout` in milliseconds; 0 sets no deadline (cancellation still has its grace). */
  ms: number;
  /** Timers; with `now` all in-flight calls share one timer, without it each call gets its own. */
  clock?: Pick<PipelineClock, "setTimeout" | "clearTimeout"> & { now?: () => number };
}

function describe(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A tool's failure that came after its run or turn cancelled the call, marked as stopped by `run`. */
function cancelledByRun(result: ToolFailure): ToolFailure {
  return { ...result, stop: STOPS.cancelled };
}

/** What a call in flight does when the signal it was given aborts: passes it on, starts its grace. */
type OnCancel = (reason: unknown) => void;

/**
 * Benchmark-driven (docs/benchmarks/pipeline.md): links each call to its parent signal by hand,
 * one listener per parent fanning out to the calls in flight under it, several times cheaper per
 * call than `AbortSignal.any` or a listener per call. Owned by one layer instance (no module
 * state). Returns the set the call is in, to leave it when done.
 */
function signalFanOut(): (parent: AbortSignal, onCancel: OnCancel) => Set<OnCancel> {
  const children = new WeakMap<AbortSignal, Set<OnCancel>>();
  return (parent, onCancel) => {
    let set = children.get(parent);
    if (!set) {
      const created = new Set<OnCancel>();
      set = created;
      children.set(parent, created);
      parent.addEventListener("abort", () => {
        for (const cancel of created) cancel(parent.reason);
        created.clear();
      });
    }
    set.add(onCancel);
    return set;
  };
}

/**
 * Layer 9: gives the tool a signal that aborts when the call's own signal does or when the time is
 * up (the equivalent of `AbortSignal.any([call.signal, timeout])`, linked by hand because it is
 * several times cheaper per call: one listener per parent signal fans out to its calls), and on
 * timeout answers at once with a tool error stopped by `timeout`, so a tool that ignores its
 * signal cannot hold the run. In-flight calls share one timer (see `createDeadlines`). A call
 * still running CANCEL_GRACE_MS after the call's own signal aborted (the run stopped, or a
 * sibling of its turn failed hard) is abandoned: answered with a tool error stopped by `run`,
 * which the audit layer above records like any outcome, the tool left to finish or die with the
 * process. A call that fails after its own signal aborted (a killed command) is stopped by `run`
 * too: the run or turn ended it, so failure limits and the breaker do not count it as the tool's
 * failure. Present in every pipeline; `tool_timeout = 0` only drops the deadline.
 */
export function timeout(options: TimeoutOptions): Middleware {
  const clock = options.clock ?? systemClock;
  const deadlines = options.ms > 0 ? createDeadlines(clock, options.ms, clock === systemClock) : undefined;
  const follow = signalFanOut();
  const message = `timed out after ${describe(options.ms)} (policy.tool_timeout) and was cancelled; try a smaller or faster step`;
  return (ctx, call, next) => {
    const controller = new AbortController();
    const parent = call.signal;
    return new Promise<ToolResult>((resolve, reject) => {
      let done = false;
      let grace: unknown;
      let siblings: Set<OnCancel> | undefined;
      const finish = () => {
        done = true;
        deadline?.cancel();
        siblings?.delete(onCancel);
        if (grace !== undefined) clock.clearTimeout(grace);
      };
      const onCancel: OnCancel = (reason) => {
        controller.abort(reason);
        grace = clock.setTimeout(() => {
          if (done) return;
          finish();
          resolve({
            ok: false,
            output: "",
            error: `abandoned: ${describeStop(parent)} and the tool did not finish within ${CANCEL_GRACE_MS}ms of being cancelled`,
            stop: STOPS.cancelled,
          });
        }, CANCEL_GRACE_MS);
      };
      const deadline = deadlines?.start(() => {
        if (done) return;
        finish();
        controller.abort(new DOMException(message, "TimeoutError"));
        ctx.emit({
          type: "warning",
          message: `${call.name} call ${call.id} ${message}`,
          data: { stopped_by: STOPS.timeout.by, reason: "timeout", tool: call.name, call_id: call.id },
        });
        resolve({ ok: false, output: "", error: `${call.name} ${message}`, stop: STOPS.timeout });
      });
      if (parent.aborted) onCancel(parent.reason);
      else siblings = follow(parent, onCancel);
      next({ ...call, signal: controller.signal }).then(
        (result) => {
          if (done) return;
          finish();
          resolve(
            !result.ok && result.stop === undefined && parent.aborted ? cancelledByRun(result) : result,
          );
        },
        (err: unknown) => {
          if (done) return;
          finish();
          reject(err);
        },
      );
    });
  };
}
