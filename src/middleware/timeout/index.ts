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
 * Layer 9: gives the tool `AbortSignal.any([call.signal, timeout])` and, when the time is up,
 * aborts it and answers at once with a tool error `stoppedBy: "timeout"` (a tool that ignores its
 * signal cannot hold the run).
 */
export function timeout(options: TimeoutOptions): Middleware {
  const clock = options.clock ?? systemClock;
  const message = `timed out after ${describe(options.ms)} (policy.tool_timeout) and was cancelled; try a smaller or faster step`;
  return (ctx, call, next) => {
    const controller = new AbortController();
    const signal = AbortSignal.any([call.signal, controller.signal]);
    let timer: unknown;
    const expired = new Promise<ToolResult>((resolve) => {
      timer = clock.setTimeout(() => {
        controller.abort(new DOMException(message, "TimeoutError"));
        ctx.emit({
          type: "warning",
          message: `${call.name} call ${call.id} ${message}`,
          data: { stopped_by: STOPPED_BY.timeout, tool: call.name, call_id: call.id },
        });
        resolve({ ok: false, output: "", error: `${call.name} ${message}`, stoppedBy: STOPPED_BY.timeout });
      }, options.ms);
    });
    const running = next({ ...call, signal });
    return Promise.race([running, expired]).finally(() => clock.clearTimeout(timer));
  };
}
