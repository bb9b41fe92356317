import type { Middleware, TextRedactor } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";

/**
 * Layer 7: placeholders in the call's arguments (which the model copied from earlier redacted
 * output) are restored to real values before the tool runs; the result's output, error and meta
 * are redacted on the way back with the run's redactor (`ctx.redactor`), so the model, the logs and the audit log above see placeholders.
 */
export function redaction(): Middleware {
  const redactResult = (redactor: TextRedactor, result: ToolResult): ToolResult => {
    const redacted: ToolResult = result.ok
      ? { ...result, output: redactor.redact(result.output) }
      : { ...result, output: redactor.redact(result.output), error: redactor.redact(result.error) };
    if (result.meta !== undefined) redacted.meta = redactor.redactValue(result.meta);
    return redacted;
  };
  return (ctx, call, next) => {
    const args = ctx.redactor.restore(call.args);
    return next(args === call.args ? call : { ...call, args }).then((result) =>
      redactResult(ctx.redactor, result),
    );
  };
}
