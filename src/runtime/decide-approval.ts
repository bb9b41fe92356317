import type { AuditLog } from "../audit/index.ts";
import type { DeferredRun, DeferredRunStore, PendingApproval } from "../state/deferred-runs.ts";

/** A human decision on one pending approval of a deferred run. */
export interface ApprovalVerdict {
  decision: "approve" | "deny";
  /** Who decided, as recorded in the run state and the audit chain. */
  by: string;
  reason?: string;
}

/** How recording a decision went; `repeated` means the same decision was already recorded. */
export type DecideOutcome =
  | { ok: true; run: DeferredRun; pending: PendingApproval; repeated: boolean }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "conflict"; pending: PendingApproval };

/**
 * Records a decision on a pending approval (SPEC §6): saved in the deferred run and appended to
 * the audit chain (who, when, why), continued from the file (another process may have recorded
 * a decision on the same run since this one last did). Executes nothing; `resume` does. Recording
 * the same decision twice changes nothing (`repeated`); a different decision on a decided
 * approval is a conflict. Throws `AuditReadError`, before deciding, when the log cannot be read.
 */
export function decideApproval(
  store: DeferredRunStore,
  audit: AuditLog | undefined,
  approvalId: string,
  verdict: ApprovalVerdict,
  now: Date = new Date(),
): DecideOutcome {
  const found = store.lookupApproval(approvalId);
  if (!found) return { ok: false, reason: "unknown" };
  const { run, pending } = found;
  if (pending.decision) {
    return pending.decision.decision === verdict.decision
      ? { ok: true, run, pending, repeated: true }
      : { ok: false, reason: "conflict", pending };
  }
  audit?.continueChain(run.run_id);
  store.decide(run, pending, {
    decision: verdict.decision,
    by: verdict.by,
    at: now.toISOString(),
    ...(verdict.reason ? { reason: verdict.reason } : {}),
  });
  audit?.append({
    run_id: run.run_id,
    agent: pending.agent,
    type: "approval",
    approval_id: approvalId,
    tool: pending.call.name,
    call_id: pending.call.id,
    decision: verdict.decision,
    by: verdict.by,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
  });
  return { ok: true, run, pending, repeated: false };
}
