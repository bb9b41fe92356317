import type { Budget } from "../agent/usage-meter.ts";
import type { AgentConfig, Config, Mode, PolicyConfig } from "../config/schema.ts";
import { mergePolicy } from "../middleware/index.ts";
import type { RunRequest } from "./run-request.ts";

/** Model turns of an agent that sets no `max_turns` anywhere. */
export const DEFAULT_MAX_TURNS = 20;
/** Wall-clock limit of an agent that sets no `timeout` anywhere: ten minutes. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** Identical assistant texts in a row before the loop stops, when `policy.loop` sets no limit. */
export const DEFAULT_TEXT_REPEATS = 3;

/**
 * An agent's settings with every default applied, resolved in one place: the agent's own value,
 * else `[defaults]`, else the built-in default. Nothing downstream falls back on its own.
 */
export interface AgentSettings {
  name: string;
  config: AgentConfig;
  /** `provider/model`; undefined when neither the agent nor `[defaults]` name one. */
  model: string | undefined;
  mode: Mode;
  /** `[defaults].policy` merged with the agent's `policy`. */
  policy: PolicyConfig;
  maxTurns: number;
  timeoutMs: number;
  budget: Budget;
  /** JSON Schema file the final answer must satisfy. */
  outputSchema: string | undefined;
  textRepeatLimit: number;
}

/** Resolves the settings of agent `name` declared (or built by `delegate`) as `agent`. */
export function resolveSettings(config: Config, name: string, agent: AgentConfig): AgentSettings {
  const defaults = config.defaults ?? {};
  const policy = mergePolicy(defaults.policy, agent.policy);
  return {
    name,
    config: agent,
    model: agent.model ?? defaults.model,
    mode: agent.mode ?? defaults.mode ?? "ask",
    policy,
    maxTurns: agent.max_turns ?? defaults.max_turns ?? DEFAULT_MAX_TURNS,
    timeoutMs: agent.timeout ?? defaults.timeout ?? DEFAULT_TIMEOUT_MS,
    budget: agent.budget ?? defaults.budget ?? {},
    outputSchema: agent.output_schema,
    textRepeatLimit: policy.loop?.max_text_repeats ?? policy.loop?.max_repeats ?? DEFAULT_TEXT_REPEATS,
  };
}

/**
 * The settings of a top-level run: the host's per-run overrides (`--model`, `--max-turns`,
 * `--timeout`, `--budget`, `--output-schema`) over the agent's. Sub-agents never take them.
 */
export function settingsForRequest(settings: AgentSettings, request: RunRequest): AgentSettings {
  if (
    request.model === undefined &&
    request.maxTurns === undefined &&
    request.timeoutMs === undefined &&
    request.budget === undefined &&
    request.outputSchema === undefined
  ) {
    return settings;
  }
  return {
    ...settings,
    model: request.model ?? settings.model,
    maxTurns: request.maxTurns ?? settings.maxTurns,
    timeoutMs: request.timeoutMs ?? settings.timeoutMs,
    budget: request.budget ?? settings.budget,
    outputSchema: request.outputSchema ?? settings.outputSchema,
  };
}
