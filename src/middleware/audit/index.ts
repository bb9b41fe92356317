import type { AuditLog } from "../../audit/audit-log.ts";
import type { Redactor } from "../../redact/redactor.ts";
import type { Middleware } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { STOPPED_BY } from "../layer-names.ts";

export interface AuditLayerOptions {
  log: AuditLog;
  redactor: Redactor;
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
 * `policy_stop` record when the result halts the run.
 */
export function auditLayer(options: AuditLayerOptions): Middleware {
  const { log, redactor } = options;
  const maxOutput = options.maxOutputChars ?? 2000;
  return async (ctx, call, next) => {
    const now = options.now ?? ctx.now;
    const started = now();
    let result: ToolResult;
    try {
      result = await next(call);
    } catch (err) {
      result = {
        ok: false,
        output: "",
        error: `threw: ${(err as Error)?.message ?? String(err)}`,
        stoppedBy: "exception",
      };
      record(result);
      throw err;
    }
    record(result);
    return result;

    function record(outcome: ToolResult): void {
      const base = { run_id: ctx.runId, agent: ctx.agent };
      const raw = outcome.meta?.["approval"] as Record<string, unknown> | undefined;
      const approval = raw ? redactor.redactValue(raw) : undefined;
      if (approval && ASKED.has(String(approval["decision"])) && !approval["remembered"]) {
        log.append({
          ...base,
          type: "approval",
          approval_id: String(approval["approval_id"]),
          call_id: call.id,
          tool: call.name,
          decision: approval["decision"] as "approve" | "deny" | "defer",
          ...(approval["scope"] ? { scope: String(approval["scope"]) } : {}),
          ...(approval["by"] ? { by: String(approval["by"]) } : {}),
          ...(approval["reason"] ? { reason: String(approval["reason"]) } : {}),
        });
      }
      const refused = outcome.stoppedBy !== undefined && !EXECUTED_DESPITE_STOP.has(outcome.stoppedBy);
      const output = outcome.output ? redactor.redact(outcome.output.slice(0, maxOutput)) : undefined;
      log.append({
        ...base,
        type: "tool_call",
        call_id: call.id,
        tool: call.name,
        args: redactor.redactValue(call.args),
        decision: refused ? "refused" : "executed",
        ...(refused ? { refused_by: outcome.stoppedBy } : {}),
        ...(approval ? { approval } : {}),
        ok: outcome.ok,
        ...(output !== undefined ? { output, output_chars: outcome.output.length } : {}),
        ...(outcome.error ? { error: redactor.redact(outcome.error) } : {}),
        duration_ms: Math.round((now() - started) * 1000) / 1000,
        ...(outcome.halt ? { halt: outcome.halt } : {}),
      });
      if (outcome.halt) {
        log.append({ ...base, type: "policy_stop", reason: outcome.halt, by: outcome.stoppedBy ?? "tool" });
      }
    }
  };
}
