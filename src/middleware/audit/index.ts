import type { AuditLog } from "../../audit/audit-log.ts";
import type { AuditApproval, AuditToolCall } from "../../audit/records.ts";
import type { ApprovalOutcome } from "../../spec/approval.ts";
import type { Middleware, PipelineCall, PipelineContext } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { ranDespiteStop, STOPS } from "../layer-names.ts";

/** The `approval` record of a decision a human or an approver took (not a remembered one). */
function approvalRecord(
  runId: string,
  agent: string,
  call: PipelineCall,
  approval: ApprovalOutcome,
): AuditApproval | undefined {
  if (approval.decision !== "approve" && approval.decision !== "deny" && approval.decision !== "defer") {
    return undefined;
  }
  if ("remembered" in approval) return undefined;
  const record: AuditApproval = {
    type: "approval",
    run_id: runId,
    agent,
    approval_id: approval.approval_id,
    call_id: call.id,
    tool: call.name,
    decision: approval.decision,
  };
  if (approval.decision === "approve") record.scope = approval.scope;
  if (approval.decision !== "defer") {
    record.by = approval.by;
    if (approval.reason) record.reason = approval.reason;
  }
  return record;
}

/**
 * The result of a call refused because the audit log cannot be written. It does not name the log's
 * path or the error (the model does not need to know where the log is); the run's end reports both.
 */
function auditRefusal(): ToolResult {
  return {
    ok: false,
    output: "",
    error:
      "refused: the audit log cannot be written, and no call runs unrecorded; nothing was run and the run stops",
    stop: STOPS.audit,
    halt: "audit",
  };
}

export interface AuditLayerOptions {
  log: AuditLog;
  /** Characters of output kept in a `tool_call` record (the rest is counted in `output_chars`). Default 2000. */
  maxOutputChars?: number;
  now?: () => number;
}

/**
 * Layer 3: records every call to the audit log once it is decided: an `approval` record when a
 * human or an approver decided on it, and the `tool_call` record (decision `executed` or
 * `refused` with `refused_by`, approval outcome, ok, redacted args, output and error, duration,
 * `halt`). It owns these two kinds only: the `policy_stop` record of a run that ends on a policy
 * is written once, by the run (`runtime/execute-run.ts`), which alone knows every stop reason. The `tool_call` record is built with its keys
 * in sorted order, including the empty `prev`, `seq` and `ts` slots the log fills, so the log
 * copies it in one step instead of sorting it.
 *
 * It fails closed: once the log cannot be written (`AuditLog.writeFailure`: disk full, permissions,
 * a read-only mount), every later call is refused before the layers below it run, with
 * `halt: "audit"`, so the run stops (`stop_reason: "audit"`, exit 1) instead of acting unrecorded.
 * The refusal itself is not appended: the log has already lost lines, and the run's end reports
 * the write error.
 */
export function auditLayer(options: AuditLayerOptions): Middleware {
  const { log } = options;
  const maxOutput = options.maxOutputChars ?? 2000;
  return (ctx, call, next) => {
    if (log.writeFailure()) return Promise.resolve(auditRefusal());
    const now = options.now ?? ctx.now;
    const started = now();
    return next(call).then(
      (result) => {
        record(ctx, call, result, now, started);
        return result;
      },
      (err: unknown) => {
        const failed: ToolResult = {
          ok: false,
          output: "",
          error: `threw: ${(err as Error)?.message ?? String(err)}`,
          stop: STOPS.exception,
        };
        record(ctx, call, failed, now, started);
        throw err;
      },
    );
  };

  function record(
    ctx: PipelineContext,
    call: PipelineCall,
    outcome: ToolResult,
    now: () => number,
    started: number,
  ): void {
    const redactor = ctx.redactor;
    const approval = outcome.approval ? redactor.redactValue(outcome.approval) : undefined;
    const decided = approval ? approvalRecord(ctx.runId, ctx.agent, call, approval) : undefined;
    if (decided) log.append(decided);
    const stop = outcome.ok ? undefined : outcome.stop;
    const refused = stop !== undefined && !ranDespiteStop(stop);
    const entry = { agent: ctx.agent } as AuditToolCall;
    if (approval) entry.approval = approval;
    entry.args = redactor.redactValue(call.args);
    entry.call_id = call.id;
    entry.decision = refused ? "refused" : "executed";
    entry.duration_ms = Math.round((now() - started) * 1000) / 1000;
    if (!outcome.ok) entry.error = redactor.redact(outcome.error);
    if (!outcome.ok && outcome.halt) entry.halt = outcome.halt;
    entry.ok = outcome.ok;
    if (outcome.output) {
      entry.output = redactor.redact(
        outcome.output.length > maxOutput ? outcome.output.slice(0, maxOutput) : outcome.output,
      );
      entry.output_chars = outcome.output.length;
    }
    entry["prev"] = undefined;
    if (refused) entry.refused_by = stop.by;
    entry.run_id = ctx.runId;
    entry["seq"] = undefined;
    entry.tool = call.name;
    entry["ts"] = undefined;
    entry.type = "tool_call";
    log.append(entry);
  }
}
