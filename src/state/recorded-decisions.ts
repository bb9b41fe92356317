import { canonicalJson } from "../audit/canonical-json.ts";
import type { EarlierAttempt, RecordedDecision, RecordedDecisions } from "../spec/approval.ts";
import type { StopCause, ToolResult, ToolStop } from "../spec/tool.ts";
import type { DeferredRun, DeferredRunStore, PendingApproval, SealedCall } from "./deferred-runs.ts";

interface Entry {
  pending: PendingApproval;
  call: SealedCall;
  canonicalArgs: string;
  taken: boolean;
}

/**
 * The decisions of a deferred run being resumed, each checked against its MAC now (a forged one
 * throws `StateIntegrityError` before anything runs) and handed out once, to the exact call it
 * was taken on. Execution is write-ahead: `starting` saves an attempt before the approved call
 * runs and `finished` saves its redacted result, so a later resume after a crash returns that
 * result, or reports the call interrupted, and never runs it a second time.
 */
export function recordedDecisions(
  store: DeferredRunStore,
  run: DeferredRun,
  now: () => Date = () => new Date(),
): RecordedDecisions {
  const entries: Entry[] = run.pending.map((pending) => {
    const call = store.verifiedCall(run, pending);
    return { pending, call, canonicalArgs: canonicalJson(call.args), taken: false };
  });
  return {
    take(runId, callId, tool, args) {
      if (runId !== run.run_id) return undefined;
      const canonicalArgs = canonicalJson(args);
      const entry = entries.find(
        (item) =>
          !item.taken &&
          item.call.id === callId &&
          item.call.name === tool &&
          item.canonicalArgs === canonicalArgs,
      );
      if (!entry) return undefined;
      entry.taken = true;
      return decisionOf(store, run, entry.pending, now);
    },
  };
}

function decisionOf(
  store: DeferredRunStore,
  run: DeferredRun,
  pending: PendingApproval,
  now: () => Date,
): RecordedDecision {
  const recorded = pending.decision as NonNullable<PendingApproval["decision"]>;
  const reason = recorded.reason ? { reason: recorded.reason } : {};
  const earlier = earlierAttempt(pending);
  return {
    approvalId: pending.approval_id,
    decision:
      recorded.decision === "approve"
        ? { decision: "approve", scope: "once", by: recorded.by, ...reason }
        : { decision: "deny", by: recorded.by, ...reason },
    ...(earlier ? { earlier } : {}),
    starting() {
      pending.attempt = { started: now().toISOString() };
      store.save(run);
    },
    finished(result: ToolResult) {
      pending.attempt = {
        started: pending.attempt?.started ?? now().toISOString(),
        result: {
          ok: result.ok,
          output: result.output,
          ...(result.error !== undefined ? { error: result.error } : {}),
          ...(result.stop ? { stopped_by: result.stop.by, stop_reason: result.stop.reason } : {}),
        },
      };
      store.save(run);
    },
  };
}

function earlierAttempt(pending: PendingApproval): EarlierAttempt | undefined {
  const attempt = pending.attempt;
  if (!attempt) return undefined;
  if (!attempt.result) return { state: "interrupted" };
  const { ok, output, error, stopped_by, stop_reason } = attempt.result;
  if (ok) return { state: "finished", result: { ok, output } };
  const stop: ToolStop | undefined =
    stopped_by === undefined ? undefined : { by: stopped_by, reason: stopCauseOf(stop_reason) };
  return {
    state: "finished",
    result: { ok, output, error: error ?? "failed", ...(stop ? { stop } : {}) },
  };
}

const STOP_CAUSES: ReadonlySet<string> = new Set<StopCause>([
  "approval",
  "policy",
  "readonly",
  "loop",
  "rate_limit",
  "breaker",
  "failures",
  "timeout",
  "exception",
  "unknown_tool",
  "arguments",
  "truncated",
  "cancelled",
  "custom",
]);

function isStopCause(reason: string | undefined): reason is StopCause {
  return reason !== undefined && STOP_CAUSES.has(reason);
}

/** A stop reason read back from a state file; anything unknown is a host's own (`custom`). */
function stopCauseOf(reason: string | undefined): StopCause {
  return isStopCause(reason) ? reason : "custom";
}
