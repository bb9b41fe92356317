import type { ToolResult } from "./tool.ts";

/** A tool call waiting for a human decision (SPEC §6). */
export interface ApprovalRequest {
  /** Server-generated, random per request; `agentry approvals approve|deny ID` takes it. */
  approvalId: string;
  runId: string;
  agent: string;
  callId: string;
  tool: string;
  args: Record<string, unknown>;
  /**
   * The real values of the placeholders in `args` that name where the call goes (IP addresses,
   * e-mail addresses, phone numbers), keyed by placeholder: the tool runs with them, the model
   * only saw the placeholders. Show them to the human deciding. Other kinds (secrets, keys, card
   * numbers) are never revealed. Absent when `args` holds no such placeholder.
   */
  targets?: Readonly<Record<string, string>>;
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

/**
 * How the approval layer decided on a call, carried on its result for the audit log: a human's
 * or approver's decision (with the approval id; `remembered` when an earlier "approve for the
 * run" covered it), `interrupted` (an earlier resume started the call and never finished), `auto`
 * (mode), `policy_deny` (a deny pattern) or `readonly_refused`.
 */
export type ApprovalOutcome =
  | {
      decision: "approve";
      approval_id: string;
      scope: "once" | "run";
      by: string;
      reason?: string;
      /** The result of an earlier resume's run of this call, returned instead of running it again. */
      replayed?: true;
    }
  | { decision: "approve"; approval_id: string; scope: "run"; remembered: true }
  | { decision: "deny"; approval_id: string; by: string; reason?: string; replayed?: true }
  | { decision: "interrupted"; approval_id: string }
  | { decision: "defer"; approval_id: string }
  | { decision: "auto"; by: "mode:auto" }
  | { decision: "policy_deny"; pattern: string }
  | { decision: "readonly_refused" };

/** Asks for a decision: a TTY prompt, a fixed policy (`--approve deny|auto`), or deferral. */
export type Approver = (request: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalDecision>;

/** A call stopped for a later human decision (`--approve defer`): what the run saves to resume it. */
export interface DeferredCall {
  /** Server-generated and unguessable; never the model's call id. */
  approvalId: string;
  /** The arguments as the approval layer saw them (parsed and validated). */
  args: Record<string, unknown>;
}

/** What an earlier resume that did not finish left of an approved call. */
export type EarlierAttempt =
  /** The call ran to the end; this is its (redacted) result, returned instead of running it again. */
  | { state: "finished"; result: ToolResult }
  /** The call was started but agentry stopped before it finished: it is never run again. */
  | { state: "interrupted" };

/**
 * A decision recorded while a deferred run was stopped, bound to one exact call and already
 * checked for integrity. `starting`/`finished` are the write-ahead hooks that make its execution
 * exactly-once across crashes.
 */
export interface RecordedDecision {
  approvalId: string;
  decision: Extract<ApprovalDecision, { decision: "approve" | "deny" }>;
  earlier?: EarlierAttempt;
  /** Persists "executing" before the approved call runs. */
  starting(): void;
  /** Persists the call's result once it has run. */
  finished(result: ToolResult): void;
}

/** The recorded decisions of a resumed run. */
export interface RecordedDecisions {
  /**
   * The decision bound to exactly this call (run id, model call id, tool and canonical
   * arguments), handed out once: a later call that reuses the id, even with the same tool and
   * arguments, gets nothing and is asked again.
   */
  take(
    runId: string,
    callId: string,
    tool: string,
    args: Record<string, unknown>,
  ): RecordedDecision | undefined;
}
