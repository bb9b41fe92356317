import type { PipelineCall, PipelineContext } from "../spec/middleware.ts";
import type { ToolResult } from "../spec/tool.ts";

/**
 * A layer's refusal: a tool error the model can act on, plus a `warning` event naming the layer,
 * the tool and the call. `extra` adds `meta` or `halt` to the result.
 */
export function refuse(
  ctx: PipelineContext,
  call: PipelineCall,
  stoppedBy: string,
  error: string,
  extra: Pick<ToolResult, "meta" | "halt" | "deferral"> = {},
): ToolResult {
  ctx.emit({
    type: "warning",
    message: `${call.name} call ${call.id} refused by ${stoppedBy}: ${error}`,
    data: {
      stopped_by: stoppedBy,
      tool: call.name,
      call_id: call.id,
      ...(extra.halt ? { halt: extra.halt } : {}),
    },
  });
  return { ok: false, output: "", error, stoppedBy, ...extra };
}

/** `refuse` as the promise a non-async layer returns. */
export function refused(
  ctx: PipelineContext,
  call: PipelineCall,
  stoppedBy: string,
  error: string,
  extra: Pick<ToolResult, "meta" | "halt" | "deferral"> = {},
): Promise<ToolResult> {
  return Promise.resolve(refuse(ctx, call, stoppedBy, error, extra));
}
