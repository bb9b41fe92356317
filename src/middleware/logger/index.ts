import type { Middleware } from "../../spec/middleware.ts";

/** Receives one structured JSON-ready line per tool call. */
export type LogSink = (line: Record<string, unknown>) => void;

export interface LoggerOptions {
  sink: LogSink;
  /** Monotonic milliseconds; defaults to the context's clock. */
  now?: () => number;
}

/**
 * Layer 2: one structured line per call: run, agent, tool, call id, arguments (redacted), ok,
 * stopped_by, duration in ms (arguments redacted by the run's redactor). A sink that throws is ignored: logging never fails a call.
 */
export function logger(options: LoggerOptions): Middleware {
  const { sink } = options;
  return (ctx, call, next) => {
    const now = options.now ?? ctx.now;
    const started = now();
    return next(call).then((result) => {
      try {
        const line: Record<string, unknown> = {
          level: result.ok ? "info" : "warn",
          msg: "tool_call",
          run_id: ctx.runId,
          agent: ctx.agent,
          tool: call.name,
          call_id: call.id,
          args: ctx.redactor.redactValue(call.args),
          ok: result.ok,
        };
        if (!result.ok && result.stop) line["stopped_by"] = result.stop.by;
        line["duration_ms"] = Math.round((now() - started) * 1000) / 1000;
        sink(line);
      } catch {
        /* a broken log sink must not turn a finished call into a failure */
      }
      return result;
    });
  };
}
