import type { AsyncLocalStorage } from "node:async_hooks";
import type { ServerContext } from "@modelcontextprotocol/server";
import type { ApprovalDecision, Approver } from "../../spec/approval.ts";

const DENIED_NO_CLIENT: ApprovalDecision = {
  decision: "deny",
  by: "policy:--approve ask",
  reason: "approval is required and the MCP client cannot be asked (no elicitation support)",
};

/**
 * `--approve ask` under `agentry mcp serve`: asks the MCP client through elicitation, on the
 * request that started the run (found through `calls`). A client without elicitation, a decline,
 * a cancel or any failure denies.
 */
export function elicitingApprover(calls: AsyncLocalStorage<ServerContext>): Approver {
  return async (request, signal) => {
    const ctx = calls.getStore();
    if (!ctx) return DENIED_NO_CLIENT;
    try {
      const answer = await ctx.mcpReq.elicitInput(
        {
          mode: "form",
          message: `agent "${request.agent}" wants to call ${request.tool} with ${JSON.stringify(request.args)} (${request.why}). Approve?`,
          requestedSchema: {
            type: "object",
            properties: {
              approve: { type: "boolean", title: "Approve this call" },
              reason: { type: "string", title: "Reason (sent to the agent)" },
            },
            required: ["approve"],
          },
        },
        { signal },
      );
      const content = answer.content ?? {};
      const reason =
        typeof content["reason"] === "string" && content["reason"] ? { reason: content["reason"] } : {};
      if (answer.action === "accept" && content["approve"] === true) {
        return { decision: "approve", scope: "once", by: "mcp-client", ...reason };
      }
      return { decision: "deny", by: "mcp-client", ...reason };
    } catch {
      return DENIED_NO_CLIENT;
    }
  };
}
