import type { PolicyConfig } from "../config/schema.ts";

type Section = Exclude<keyof PolicyConfig, "tool_timeout">;
const SECTIONS: Section[] = ["approval", "redact", "loop", "failures", "rate", "breaker", "enrich"];

/**
 * Merges `[defaults.policy]` with an agent's `[agents.X.policy]`: per section, key by key, the
 * agent wins; lists replace the default list except `approval.deny`, which is the union (an agent
 * cannot drop a deny rule set for everyone).
 */
export function mergePolicy(defaults: PolicyConfig = {}, agent: PolicyConfig = {}): PolicyConfig {
  const merged: PolicyConfig = {};
  for (const section of SECTIONS) {
    const base = defaults[section];
    const own = agent[section];
    if (base || own) Object.assign(merged, { [section]: { ...base, ...own } });
  }
  const deny = [...(defaults.approval?.deny ?? []), ...(agent.approval?.deny ?? [])];
  if (deny.length) merged.approval = { ...merged.approval, deny: [...new Set(deny)] };
  const toolTimeout = agent.tool_timeout ?? defaults.tool_timeout;
  if (toolTimeout !== undefined) merged.tool_timeout = toolTimeout;
  return merged;
}

/** Built-in values for what neither the defaults nor the agent set. Documented in docs/GOVERNANCE.md. */
export const POLICY_DEFAULTS = {
  maxRepeats: 3,
  maxTextRepeats: 3,
  maxConsecutiveFailures: 5,
  maxTotalFailures: 20,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
  toolTimeoutMs: 10 * 60_000,
} as const;
