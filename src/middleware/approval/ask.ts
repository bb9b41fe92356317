import type { ApprovalDecision, ApprovalRequest, Approver } from "../../spec/approval.ts";
import type { PipelineClock } from "../clock.ts";

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * Asks the approver, turning a timeout into a deny `by: "timeout"` and an approver failure into a
 * deny `by: "approver"`. The approver's signal aborts on timeout or when the call is cancelled.
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
      resolve(decision);
    };
    const timer = clock.setTimeout(() => {
      settle({ decision: "deny", by: "timeout", reason: `no decision within ${formatMs(timeoutMs)}` });
      controller.abort();
    }, timeoutMs);
    approver(request, signal).then(settle, (err: unknown) =>
      settle({
        decision: "deny",
        by: "approver",
        reason: `approval could not be obtained (${err instanceof Error ? err.message : String(err)})`,
      }),
    );
  });
}
