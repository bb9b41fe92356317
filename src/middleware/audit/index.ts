import type { AuditLog } from "../../audit/audit-log.ts";
import type { AuditApproval, AuditToolCall } from "../../audit/records.ts";
import type { Middleware, PipelineCall, PipelineContext } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { STOPPED_BY } from "../layer-names.ts";

function approvalRecord(
  runId: string,
  agent: string,
  callId: string,
  tool: string,
  approval: Record<string, unknown>,
): AuditApproval {
  const entry: AuditApproval = {
    type: "approval",
    run_id: runId,
    agent,
    approval_id: String(approval["approval_id"]),
    call_id: callId,
    tool,
    decision: approval["decision"] as AuditApproval["decision"],
  };
  if (approval["scope"]) entry.scope = String(approval["scope"]);
  if (approval["by"]) entry.by = String(approval["by"]);
  if (approval["reason"]) entry.reason = String(approval["reason"]);
  return entry;
}

export interface AuditLayerOptions {
  log: AuditLog;
  /** Characters of output kept in a `tool_call` record (the rest is counted in `output_chars`). Default 2000. */
  maxOutputChars?: number;
  now?: () => number;
}

const ASKED = new Set(["approve", "deny", "defer"]);
const EXECUTED_DESPITE_STOP = new Set<string>([STOPPED_BY.timeout, STOPPED_BY.exception]);

/**
 * Layer 3: records every call to the audit log once it is decided: a `approval` record when a
 * human or policy decided on it, the `tool_call` record (decision `executed` or `refused` with
 * `refused_by`, approval outcome, ok, redacted args, output and error, duration), and a
 * `policy_stop` record when the result halts the run. The `tool_call` record is built with its keys
 * in sorted order, including the empty `prev`, `seq` and `ts` slots the log fills, so the log
 * copies it in one step instead of sorting it.
 */
export function auditLayer(options: AuditLayerOptions): Middleware {
  const { log } = options;
  const maxOutput = options.maxOutputChars ?? 2000;
  return (ctx, call, next) => {
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
          stoppedBy: "exception",
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
    const raw = outcome.meta?.["approval"] as Record<string, unknown> | undefined;
    const redactor = ctx.redactor;
    const approval = raw ? redactor.redactValue(raw) : undefined;
    if (approval && ASKED.has(String(approval["decision"])) && !approval["remembered"]) {
      log.append(approvalRecord(ctx.runId, ctx.agent, call.id, call.name, approval));
    }
    const refused = outcome.stoppedBy !== undefined && !EXECUTED_DESPITE_STOP.has(outcome.stoppedBy);
    const entry = { agent: ctx.agent } as AuditToolCall;
    if (approval) entry.approval = approval;
    entry.args = redactor.redactValue(call.args);
    entry.call_id = call.id;
    entry.decision = refused ? "refused" : "executed";
    entry.duration_ms = Math.round((now() - started) * 1000) / 1000;
    if (outcome.error) entry.error = redactor.redact(outcome.error);
    if (outcome.halt) entry.halt = outcome.halt;
    entry.ok = outcome.ok;
    if (outcome.output) {
      entry.output = redactor.redact(
        outcome.output.length > maxOutput ? outcome.output.slice(0, maxOutput) : outcome.output,
      );
      entry.output_chars = outcome.output.length;
    }
    entry["prev"] = undefined;
    if (refused) entry.refused_by = outcome.stoppedBy;
    entry.run_id = ctx.runId;
    entry["seq"] = undefined;
    entry.tool = call.name;
    entry["ts"] = undefined;
    entry.type = "tool_call";
    log.append(entry);
    if (outcome.halt) {
      log.append({
        type: "policy_stop",
        run_id: ctx.runId,
        agent: ctx.agent,
        reason: outcome.halt,
        by: outcome.stoppedBy ?? "tool",
      });
    }
  }
}
