import type { CallToolResult } from "@modelcontextprotocol/server";
import type { RunResult } from "../../runtime/run-request.ts";

/**
 * A finished run as an MCP tool result: the answer on success; otherwise an error result naming
 * the stop reason (and the partial answer). A deferred run names its run id, the pending approval
 * ids and the commands that decide and resume it.
 */
export function runToolResult(result: RunResult, pendingApprovals: readonly string[]): CallToolResult {
  if (result.status === "ok") return { content: [{ type: "text", text: result.answer }] };
  const lines = [`run ${result.runId} stopped: ${result.stopReason}`];
  if (result.status === "awaiting_approval") {
    lines.push(
      `pending approvals: ${pendingApprovals.join(", ") || "none"}`,
      "decide with: agentry approvals approve|deny APPROVAL_ID",
      `then continue with: agentry resume ${result.runId}`,
    );
  }
  if (result.error) lines.push(`error: ${result.error.message}`);
  if (result.answer) lines.push(`partial answer: ${result.answer}`);
  return { content: [{ type: "text", text: lines.join("\n") }], isError: true };
}
