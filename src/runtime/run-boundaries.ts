import type { AuditLog } from "../audit/audit-log.ts";
import type { UsageTotals } from "../spec/events.ts";

/** What the `run_start` record of a run (top level or sub-agent) holds. */
export interface RunStartRecord {
  runId: string;
  agent: string;
  /** Already redacted. */
  prompt: string;
  model?: string;
  /** For a sub-agent run: the run that started it. */
  parentRunId?: string;
}

/** What the `run_end` record of a run holds. */
export interface RunEndRecord {
  runId: string;
  agent: string;
  status: string;
  stopReason: string;
  turns: number;
  usage: UsageTotals;
  /** Top-level runs: the calls refused in the run and its sub-agents. */
  refusedCalls?: number;
}

/**
 * The one writer of `run_start` audit records: the first record of a run's chain, for a
 * top-level run and for each sub-agent run alike. Nothing when the audit log is off.
 */
export function recordRunStart(audit: AuditLog | undefined, start: RunStartRecord): void {
  audit?.append({
    run_id: start.runId,
    agent: start.agent,
    type: "run_start",
    ...(start.model !== undefined ? { model: start.model } : {}),
    prompt: start.prompt,
    ...(start.parentRunId !== undefined ? { parent_run_id: start.parentRunId } : {}),
  });
}

/**
 * The one writer of `run_end` audit records: the record `audit verify` looks for to know a run's
 * chain is complete, after which the log lets the chain go. Nothing when the audit log is off.
 */
export function recordRunEnd(audit: AuditLog | undefined, end: RunEndRecord): void {
  audit?.append({
    run_id: end.runId,
    agent: end.agent,
    type: "run_end",
    status: end.status,
    stop_reason: end.stopReason,
    turns: end.turns,
    usage: end.usage,
    ...(end.refusedCalls !== undefined ? { refused_calls: end.refusedCalls } : {}),
  });
}
