import { serializeError } from "../spec/errors.ts";
import type { PipelineCall, PipelineContext } from "../spec/middleware.ts";
import type { ToolFailure } from "../spec/tool.ts";
import { STOPS } from "./layer-names.ts";

/**
 * What the model sees of a call that threw (a tool or layer bug): a tool error stopped by
 * `exception`, its message redacted with the run's redactor (a throw passes the redaction layer
 * unredacted), plus an `error` event. Built by layer 1, and by failure limits when a throw is the
 * failure that exceeds a limit (so that result can carry the halt).
 */
export function thrownResult(ctx: PipelineContext, call: PipelineCall, err: unknown): ToolFailure {
  const error = serializeError(err);
  ctx.emit({
    type: "error",
    error: { ...error, data: { ...error.data, tool: call.name, call_id: call.id } },
  });
  return {
    ok: false,
    output: "",
    error: `${call.name} failed unexpectedly (${ctx.redactor.redact(`${error.name}: ${error.message}`)}); try another approach`,
    stop: STOPS.exception,
  };
}
