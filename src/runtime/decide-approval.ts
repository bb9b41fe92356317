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
 * the audit chain (who, when, why), continued from the file. Executes nothing; `resume` does.
 * Recording the same decision twice changes nothing (`repeated`); a different decision on a
 * decided approval is a conflict. Made under the run's decision lock (`lockDecisions`), reading
 * the run afresh and writing the audit line before letting go: another process (`serve`,
 * `agentry approvals`) deciding on the same run at the same moment waits, then sees this decision,
 * so two different decisions on one approval are never both recorded, a decision on another
 * approval of the run is not lost, and the run's audit chain does not fork. Throws
 * `AuditReadError`, before deciding, when the log cannot be read.
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
  const release = store.lockDecisions(found.run.run_id);
  try {
    const run = store.load(found.run.run_id);
    const pending = run.pending.find((item) => item.approval_id === approvalId);
    if (!pending) return { ok: false, reason: "unknown" };
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
    audit?.flushSync();
    return { ok: true, run, pending, repeated: false };
  } finally {
    release();
  }
}
