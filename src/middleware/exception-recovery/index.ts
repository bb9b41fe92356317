import type { Middleware } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { thrownResult } from "../thrown-result.ts";

/**
 * Layer 1: anything thrown below (a tool bug, a layer bug) becomes a tool error
 * `stop.reason: "exception"` with an `error` event, so one bad call never crashes the run. A throw
 * passes the redaction layer (7) unredacted, so the message is redacted here with the run's
 * redactor before the model sees it (`thrownResult`). A promise chain rather than an `async`
 * function: one frame less per call.
 */
export function exceptionRecovery(): Middleware {
  return (ctx, call, next) => {
    let pending: Promise<ToolResult>;
    try {
      pending = next(call);
    } catch (err) {
      pending = Promise.reject(err);
    }
    return pending.catch((err: unknown): ToolResult => thrownResult(ctx, call, err));
  };
}
