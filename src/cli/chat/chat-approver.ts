import type { Approver } from "../../spec/approval.ts";

/**
 * The approver of a chat: asks through `ask`, and remembers an `a` (always) answer for the rest
 * of the chat. What `a` covers, exactly: later calls of the same tool (by name) made by the same
 * agent (a sub-agent calling that tool is asked again), with any arguments, in this chat process
 * only (never saved with the session: a resumed conversation asks again). Calls it covers still
 * pass every other layer (deny patterns refuse before anyone is asked) and are audited as
 * approvals by the user who said `a`, with a reason naming the approval where `a` was answered.
 */
export function chatApprover(ask: Approver): Approver {
  const always = new Map<string, { by: string; approvalId: string }>();
  return async (request, signal) => {
    const key = `${request.agent}\u0000${request.tool}`;
    const earlier = always.get(key);
    if (earlier !== undefined) {
      return {
        decision: "approve",
        scope: "run",
        by: earlier.by,
        reason: `approved for the rest of this chat ([a]lways at ${earlier.approvalId})`,
      };
    }
    const decision = await ask(request, signal);
    if (decision.decision === "approve" && decision.scope === "run")
      always.set(key, { by: decision.by, approvalId: request.approvalId });
    return decision;
  };
}
