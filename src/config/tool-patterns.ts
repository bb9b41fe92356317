/** How an agent's `tools` list names another agent used as a tool: `agent:NAME`. */
export const AGENT_TOOL_PREFIX = "agent:";

/**
 * The name the model sees, and the pipeline matches, for a tool as config names it:
 * `agent:NAME` is offered as `agent_NAME` (provider tool names forbid `:`); others keep their name.
 */
export function modelToolName(entry: string): string {
  return entry.startsWith(AGENT_TOOL_PREFIX) ? `agent_${entry.slice(AGENT_TOOL_PREFIX.length)}` : entry;
}

/**
 * Splits an approval pattern `tool:argglob` into the tool name as config names it and the
 * optional argument glob. The tool part of `agent:NAME:argglob` is `agent:NAME`: the split is at
 * the first `:` after the `agent:` prefix (declared names never contain `:`).
 */
export function splitApprovalPattern(pattern: string): { tool: string; args: string | undefined } {
  const start = pattern.startsWith(AGENT_TOOL_PREFIX) ? AGENT_TOOL_PREFIX.length : 0;
  const colon = pattern.indexOf(":", start);
  if (colon < 0) return { tool: pattern, args: undefined };
  return { tool: pattern.slice(0, colon), args: pattern.slice(colon + 1) };
}
