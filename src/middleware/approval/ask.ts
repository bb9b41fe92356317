import type { ApprovalDecision, ApprovalRequest, Approver } from "../../spec/approval.ts";
import { stopReasonOf } from "../../spec/run-stop.ts";
import type { PipelineClock } from "../clock.ts";

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * The outcome of a question the run stopped while it was open (Ctrl-C, timeout, a cancelled
 * sibling): recorded as the interruption it is, `by: "interrupt"`, never as a person's denial.
 */
export function interruptedDecision(signal: AbortSignal): ApprovalDecision {
  return {
    decision: "deny",
    by: "interrupt",
    reason: `no decision: the run was ${stopReasonOf(signal)} while the question was open`,
  };
}

/**
 * Asks the approver, turning a timeout into a deny `by: "timeout"`, an approver failure into a
 * deny `by: "approver"` and the call's cancellation (its run stopped) into `interruptedDecision`,
 * whether or not the approver honours its signal: an approver that ignores it cannot hold the
 * call past its run, nor approve it afterwards. The approver's signal aborts on timeout or when
 * the call is cancelled.
 */
export function askWithTimeout(
  approver: Approver,
  request: ApprovalRequest,
  callSignal: AbortSignal,
  timeoutMs: number,
  clock: Pick<PipelineClock, "setTimeout" | "clearTimeout">,
): Promise<ApprovalDecision> {
  const controller = new AbortController();
  const signal = AbortSignal.any([callSignal, controller.signal]);
  return new Promise<ApprovalDecision>((resolve) => {
    let settled = false;
    const settle = (decision: ApprovalDecision) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      callSignal.removeEventListener("abort", onCancel);
      resolve(decision);
    };
    const onCancel = () => settle(interruptedDecision(callSignal));
    const timer = clock.setTimeout(() => {
      settle({ decision: "deny", by: "timeout", reason: `no decision within ${formatMs(timeoutMs)}` });
      controller.abort();
    }, timeoutMs);
    if (callSignal.aborted) return onCancel();
    callSignal.addEventListener("abort", onCancel, { once: true });
    approver(request, signal).then(settle, (err: unknown) =>
      settle({
        decision: "deny",
        by: "approver",
        reason: `approval could not be obtained (${err instanceof Error ? err.message : String(err)})`,
      }),
    );
  });
}
