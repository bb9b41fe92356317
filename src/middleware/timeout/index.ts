import type { Middleware } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { type PipelineClock, systemClock } from "../clock.ts";
import { STOPS } from "../layer-names.ts";
import { createDeadlines } from "./deadlines.ts";

export interface TimeoutOptions {
  /** `policy.tool_timeout` in milliseconds. */
  ms: number;
  /** Timers; with `now` all in-flight calls share one timer, without it each call gets its own. */
  clock?: Pick<PipelineClock, "setTimeout" | "clearTimeout"> & { now?: () => number };
}

function describe(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Benchmark-driven (docs/benchmarks/pipeline.md): links each call's controller to its parent
 * signal by hand, one listener per parent fanning out to the calls in flight under it, several
 * times cheaper per call than `AbortSignal.any`. Owned by one layer instance (no module state).
 */
function signalFanOut(): (parent: AbortSignal, child: AbortController) => Set<AbortController> {
  const children = new WeakMap<AbortSignal, Set<AbortController>>();
  return (parent, child) => {
    let set = children.get(parent);
    if (!set) {
      const created = new Set<AbortController>();
      set = created;
      children.set(parent, created);
      parent.addEventListener("abort", () => {
        for (const controller of created) controller.abort(parent.reason);
        created.clear();
      });
    }
    set.add(child);
    return set;
  };
}

/**
 * Layer 9: gives the tool a signal that aborts when the call's own signal does or when the time is
 * up (the equivalent of `AbortSignal.any([call.signal, timeout])`, linked by hand because it is
 * several times cheaper per call: one listener per parent signal fans out to its calls), and on
 * timeout answers at once with a tool error stopped by `timeout`, so a tool that ignores its
 * signal cannot hold the run. In-flight calls share one timer (see `createDeadlines`).
 */
export function timeout(options: TimeoutOptions): Middleware {
  const clock = options.clock ?? systemClock;
  const deadlines = createDeadlines(clock, options.ms, clock === systemClock);
  const follow = signalFanOut();
  const message = `timed out after ${describe(options.ms)} (policy.tool_timeout) and was cancelled; try a smaller or faster step`;
  return (ctx, call, next) => {
    const controller = new AbortController();
    const parent = call.signal;
    const siblings = parent.aborted ? undefined : follow(parent, controller);
    if (!siblings) controller.abort(parent.reason);
    return new Promise<ToolResult>((resolve, reject) => {
      let done = false;
      const finish = () => {
        done = true;
        deadline.cancel();
        siblings?.delete(controller);
      };
      const deadline = deadlines.start(() => {
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
      next({ ...call, signal: controller.signal }).then(
        (result) => {
          if (done) return;
          finish();
          resolve(result);
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
