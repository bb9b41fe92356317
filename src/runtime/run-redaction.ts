import { namedEntry } from "../config/named-entry.ts";
import type { Config, FlowStep, PolicyConfig } from "../config/schema.ts";
import { AGENT_TOOL_PREFIX } from "../config/tool-patterns.ts";
import { parseMcpEntry } from "../mcp/entries.ts";
import { mergePolicy } from "../middleware/merge-policy.ts";

/** What a run's redactor detects besides secrets (which it always detects). */
export interface RedactionPolicy {
  pii: boolean;
  patterns: string[];
}

/**
 * The redaction policy of a run: its target's (`top`), joined with that of every agent it can
 * reach (`agent:NAME` and `kind = "agent"` tools, flow steps) and of the MCP servers they use
 * (`[mcp.NAME.policy]` over the agent's). One redactor serves the whole run tree, since
 * placeholders cross from a sub-agent to its parent, so it must hide what any of them is
 * configured to hide: personal data when any asks for it, and every agent's patterns. A parent
 * may thus redact more than its own policy says, never a sub-agent less.
 */
export function runRedactionPolicy(
  config: Config,
  target: string,
  top: PolicyConfig["redact"],
): RedactionPolicy {
  const policies: PolicyConfig["redact"][] = [top];
  const seen = new Set<string>();
  const visitStep = (step: FlowStep): void => {
    if (typeof step === "string") visit(step);
    else for (const inner of Object.values(step).flat()) visitStep(inner);
  };
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const flow = namedEntry(config.flows, name);
    flow?.steps.forEach(visitStep);
    const agent = namedEntry(config.agents, name);
    if (!agent) return;
    const policy = mergePolicy(config.defaults?.policy, agent.policy);
    policies.push(policy.redact);
    for (const entry of agent.tools ?? []) {
      if (entry.startsWith(AGENT_TOOL_PREFIX)) visit(entry.slice(AGENT_TOOL_PREFIX.length));
      const mcp = parseMcpEntry(entry);
      const server = mcp ? namedEntry(config.mcp, mcp.server) : undefined;
      if (server) policies.push(mergePolicy(policy, server.policy).redact);
      const tool = namedEntry(config.tools, entry);
      if (tool?.kind === "agent") visit(tool.agent);
    }
  };
  visit(target);
  return {
    pii: policies.some((redact) => redact?.pii ?? true),
    patterns: [...new Set(policies.flatMap((redact) => redact?.patterns ?? []))],
  };
}
