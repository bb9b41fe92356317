/** A tool call waiting for a human decision (SPEC §6). */
export interface ApprovalRequest {
  /** Stable id; `agentry approvals approve|deny ID` takes it. */
  approvalId: string;
  runId: string;
  agent: string;
  callId: string;
  tool: string;
  args: Record<string, unknown>;
  /** Why approval is needed, e.g. `policy.approval.tools includes "sh"`. */
  why: string;
}

/**
 * A decision on one request. `scope: "run"` approves this tool for the rest of the run.
 * `defer` means nobody decides now: the run saves its state and exits 5.
 */
export type ApprovalDecision =
  | { decision: "approve"; scope: "once" | "run"; by: string; reason?: string }
  | { decision: "deny"; by: string; reason?: string }
  | { decision: "defer" };

/** Asks for a decision: a TTY prompt, a fixed policy (`--approve deny|auto`), or deferral. */
export type Approver = (request: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalDecision>;
