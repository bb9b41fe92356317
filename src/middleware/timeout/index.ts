import type { Middleware } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { type PipelineClock, systemClock } from "../clock.ts";
import { STOPPED_BY } from "../layer-names.ts";

export interface TimeoutOptions {
  /** `policy.tool_timeout` in milliseconds. */
  ms: number;
  clock?: Pick<PipelineClock, "setTimeout" | "clearTimeout">;
}

function describe(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Layer 9: gives the tool a signal that aborts when the call's own signal does or when the time is
 * up (the equivalent of `AbortSignal.any([call.signal, timeout])`, linked by hand because it is
 * several times cheaper per call), and on timeout answers at once with a tool error
 * `stoppedBy: "timeout"`, so a tool that ignores its signal cannot hold the run.
 */
export function timeout(options: TimeoutOptions): Middleware {
  const clock = options.clock ?? systemClock;
  const message = `timed out after ${describe(options.ms)} (policy.tool_timeout) and was cancelled; try a smaller or faster step`;
  return (ctx, call, next) => {
    const controller = new AbortController();
    const parent = call.signal;
    const follow = () => controller.abort(parent.reason);
    if (parent.aborted) follow();
    else parent.addEventListener("abort", follow);
    return new Promise<ToolResult>((resolve, reject) => {
      let done = false;
      const finish = () => {
        done = true;
        clock.clearTimeout(timer);
        parent.removeEventListener("abort", follow);
      };
      const timer = clock.setTimeout(() => {
        if (done) return;
        finish();
        controller.abort(new DOMException(message, "TimeoutError"));
        ctx.emit({
          type: "warning",
          message: `${call.name} call ${call.id} ${message}`,
          data: { stopped_by: STOPPED_BY.timeout, tool: call.name, call_id: call.id },
        });
        resolve({ ok: false, output: "", error: `${call.name} ${message}`, stoppedBy: STOPPED_BY.timeout });
      }, options.ms);
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
