/**
 * The audit record types of SPEC §9. Callers pass an `AuditRecordInput`; the log adds `seq`, `ts`,
 * `prev` and `hash`. Values must already be redacted: the log writes what it is given.
 */

interface AuditBase {
  run_id: string;
  agent: string;
  [field: string]: unknown;
}

/** A run began. `prompt` must be redacted by the caller. */
export interface AuditRunStart extends AuditBase {
  type: "run_start";
  model?: string;
  prompt?: string;
  parent_run_id?: string;
}

/** A run ended; the record verify looks for to know a run's chain is complete. */
export interface AuditRunEnd extends AuditBase {
  type: "run_end";
  status: string;
  stop_reason: string;
  turns?: number;
  refused_calls?: number;
}

/** How a tool call was decided: executed, or refused by the named layer. */
export type AuditDecision = "executed" | "refused";

/** One governed tool call: its decision and its outcome. */
export interface AuditToolCall extends AuditBase {
  type: "tool_call";
  call_id: string;
  tool: string;
  args: unknown;
  decision: AuditDecision;
  refused_by?: string;
  /** Approval outcome when the approval layer was involved (`auto`, `approve`, `deny`, `defer`). */
  approval?: Record<string, unknown>;
  ok: boolean;
  output?: string;
  output_chars?: number;
  error?: string;
  duration_ms: number;
  halt?: string;
}

/** A human (or a fixed policy) decided on an approval request. */
export interface AuditApproval extends AuditBase {
  type: "approval";
  approval_id: string;
  tool: string;
  decision: "approve" | "deny" | "defer";
  call_id?: string;
  scope?: string;
  by?: string;
  reason?: string;
}

/** Governance stopped the run (loop, failure limits, budget, denied approval). */
export interface AuditPolicyStop extends AuditBase {
  type: "policy_stop";
  reason: string;
  by?: string;
}

/** A secret was used, by name (e.g. `OPENAI_API_KEY` in a provider request). Never the value. */
export interface AuditSecretUse extends AuditBase {
  type: "secret_use";
  name: string;
  used_by?: string;
}

export type AuditRecordInput =
  | AuditRunStart
  | AuditRunEnd
  | AuditToolCall
  | AuditApproval
  | AuditPolicyStop
  | AuditSecretUse;

export type AuditRecordType = AuditRecordInput["type"];

/** A record as stored: one JSON line. `hash = sha256(prev + canonicalJson(record without hash))`. */
export type AuditRecord = AuditRecordInput & { seq: number; ts: string; prev: string; hash: string };

/** The `prev` of a run's first record. */
export function genesisOf(runId: string): string {
  return `genesis:${runId}`;
}
