import type { AuditLog } from "../audit/index.ts";
import type { StopReason } from "../spec/events.ts";

/** Stop reasons that are governance decisions (as opposed to an answer, an error or a cancellation). */
const POLICY_STOPS = new Set<StopReason>([
  "awaiting_approval",
  "budget",
  "loop",
  "tool_error",
  "approval_denied",
  "sandbox",
  "max_turns",
  "timeout",
]);

/**
 * The one writer of `policy_stop` audit records: called once per finished agent run (top-level
 * or sub-agent) with how it ended. Middleware never writes them; a layer that halts a run says
 * so on its result, and the loop reports the layer as `haltedBy`.
 */
export function recordPolicyStop(
  audit: AuditLog | undefined,
  runId: string,
  agent: string,
  outcome: { stopReason: StopReason; haltedBy?: string },
): void {
  if (!audit || !POLICY_STOPS.has(outcome.stopReason)) return;
  audit.append({
    run_id: runId,
    agent,
    type: "policy_stop",
    reason: outcome.stopReason,
    ...(outcome.haltedBy ? { by: outcome.haltedBy } : {}),
  });
}
