import type { Middleware, TextRedactor } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";

/**
 * Layer 7: placeholders in the call's arguments (which the model copied from earlier redacted
 * output) are restored to real values before the tool runs; the result's output, error and meta
 * are redacted on the way back with the run's redactor (`ctx.redactor`), so the model, the logs and the audit log above see placeholders.
 * A result with nothing to redact is passed on as it is (no copy).
 */
export function redaction(): Middleware {
  const redactResult = (redactor: TextRedactor, result: ToolResult): ToolResult => {
    const output = redactor.redact(result.output);
    const error = result.ok ? undefined : redactor.redact(result.error);
    const meta = result.meta === undefined ? undefined : redactor.redactValue(result.meta);
    if (output === result.output && (result.ok || error === result.error) && meta === result.meta)
      return result;
    const redacted: ToolResult = result.ok
      ? { ...result, output }
      : { ...result, output, error: error as string };
    if (meta !== undefined) redacted.meta = meta;
    return redacted;
  };
  return (ctx, call, next) => {
    const args = ctx.redactor.restore(call.args);
    return next(args === call.args ? call : { ...call, args }).then((result) =>
      redactResult(ctx.redactor, result),
    );
  };
}
