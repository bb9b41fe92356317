import type { PipelineCall, PipelineContext } from "../spec/middleware.ts";
import type { ToolFailure, ToolStop } from "../spec/tool.ts";

/** What a refusal may add to its result: structured facts, the approval outcome, a halt, a deferral. */
export type RefusalExtra = Pick<ToolFailure, "meta" | "halt" | "approval" | "deferral">;

/**
 * A layer's refusal: a tool error the model can act on, with the typed `stop`, plus a `warning`
 * event naming the layer, the tool and the call.
 */
export function refuse(
  ctx: PipelineContext,
  call: PipelineCall,
  stop: ToolStop,
  error: string,
  extra: RefusalExtra = {},
): ToolFailure {
  ctx.emit({
    type: "warning",
    message: `${call.name} call ${call.id} refused by ${stop.by}: ${error}`,
    data: {
      stopped_by: stop.by,
      reason: stop.reason,
      tool: call.name,
      call_id: call.id,
      ...(extra.halt ? { halt: extra.halt } : {}),
      ...(extra.approval?.decision === "policy_deny"
        ? { rule: `deny pattern "${extra.approval.pattern}"` }
        : {}),
    },
  });
  return { ok: false, output: "", error, stop, ...extra };
}

/** `refuse` as the promise a non-async layer returns. */
export function refused(
  ctx: PipelineContext,
  call: PipelineCall,
  stop: ToolStop,
  error: string,
  extra: RefusalExtra = {},
): Promise<ToolFailure> {
  return Promise.resolve(refuse(ctx, call, stop, error, extra));
}
