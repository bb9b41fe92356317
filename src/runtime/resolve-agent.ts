import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AnswerCheck } from "../agent/loop.ts";
import { namedEntry } from "../config/named-entry.ts";
import type { AgentConfig } from "../config/schema.ts";
import { mcpServersOf } from "../mcp/entries.ts";
import type { Pipeline } from "../middleware/compose.ts";
import { mergePolicy } from "../middleware/merge-policy.ts";
import { createPipeline } from "../middleware/pipeline.ts";
import { openModel } from "../providers/registry.ts";
import type { ModelHandle } from "../providers/types.ts";
import { UsageError } from "../spec/errors.ts";
import { type AgentSettings, resolveSettings } from "./agent-settings.ts";
import { type AgentTools, assembleTools } from "./agent-tools.ts";
import { withServerPolicies } from "./mcp-servers.ts";
import { loadAnswerCheck } from "./output-schema.ts";
import type { RuntimeContext } from "./runtime-context.ts";

/**
 * An agent assembled once per runtime: its defaulted settings, its tools, its instructions
 * template, its governance pipeline (whose rate-limit and breaker state is therefore per agent
 * and runtime), and its model, opened on first use. Every run of the agent shares it; what
 * differs per run travels in the `PipelineContext` and the run's scope.
 */
export interface AssembledAgent {
  settings: AgentSettings;
  tools: AgentTools;
  pipeline: Pipeline;
  /** The instructions before `{{vars}}` are filled in. */
  instructions: string;
  /**
   * The model of `settings.model`, opened once while assembling, so its key is a known secret
   * before any run starts; throws the error opening it raised, or UsageError when there is none.
   */
  model(): ModelHandle;
  /** The answer check of `settings.outputSchema`, loaded once. */
  answerCheck(): AnswerCheck | undefined;
  /** Secret values resolved while assembling (provider keys, tool headers); every run's redactor hides them. */
  secrets: readonly string[];
  /** Problems found while assembling (an optional MCP server unavailable), warned about in every run. */
  warnings: readonly string[];
}

/** An ephemeral agent built by `delegate`: its configuration and its parent's pipeline, which its calls go through. */
export interface InlineAgent {
  config: AgentConfig;
  pipeline: Pipeline;
}

/** Looks up an agent or fails with a usage error listing the known ones. */
export function agentConfig(rt: RuntimeContext, name: string): AgentConfig {
  const agents = rt.loaded.config.agents;
  const agent = namedEntry(agents, name);
  if (!agent) {
    const known = Object.keys(agents ?? {}).join(", ") || "none";
    throw new UsageError(`unknown agent "${name}"; configured agents: ${known}`);
  }
  return agent;
}

/**
 * The declared agent `name`, assembled on first use and cached for the runtime's lifetime (the
 * config and the environment of a runtime never change). Rejects with UsageError for an unknown
 * agent, ConfigError for an unknown tool or an unset `${VAR}`.
 */
export function resolveAgent(rt: RuntimeContext, name: string): Promise<AssembledAgent> {
  return assembledOnce(rt.agents, name, () => assembleAgent(rt, name, agentConfig(rt, name)));
}

/**
 * How many ephemeral agents (`delegate`) a runtime keeps assembled. The model chooses their
 * configuration (`max_turns` times a subset of tools, per parent), so a long-lived runtime
 * (`serve`, `worker`) would otherwise keep one for every choice it ever made. A delegation whose
 * configuration was forgotten assembles it again: its tools and model from the runtime's shared
 * ones, its calls through its parent's pipeline, so nothing of its governance state is lost.
 */
export const INLINE_AGENTS_KEPT = 32;

/**
 * An ephemeral agent (built by `delegate`), assembled once per distinct configuration while it is
 * among the `INLINE_AGENTS_KEPT` most recently used. Its calls go through `pipeline` (its
 * parent's) instead of a pipeline of its own: the model picks its turns and tools, so a pipeline
 * per configuration would give it fresh rate-limit buckets and closed breakers at will, and
 * forgetting the agent would reset them.
 */
export function resolveInlineAgent(
  rt: RuntimeContext,
  name: string,
  config: AgentConfig,
  pipeline: Pipeline,
): Promise<AssembledAgent> {
  return assembledOnce(rt.inlineAgents, `${name}:${JSON.stringify(config)}`, () =>
    assembleAgent(rt, name, config, pipeline),
  );
}

/** Where assembled agents are kept: a Map, or an LruMap that forgets the least recently used. */
interface AgentCache {
  get(key: string): Promise<AssembledAgent> | undefined;
  set(key: string, value: Promise<AssembledAgent>): unknown;
  delete(key: string): boolean;
}

/**
 * The agent cached under `key`, assembled by `assemble` on first use. A failed assembly (a
 * required MCP server that did not start) is not kept: the next run assembles again, while the
 * runs already waiting share the failure.
 */
function assembledOnce(
  cache: AgentCache,
  key: string,
  assemble: () => Promise<AssembledAgent>,
): Promise<AssembledAgent> {
  const cached = cache.get(key);
  if (cached) return cached;
  const attempt = Promise.resolve().then(assemble);
  cache.set(key, attempt);
  attempt.catch(() => {
    if (cache.get(key) === attempt) cache.delete(key);
  });
  return attempt;
}

async function assembleAgent(
  rt: RuntimeContext,
  name: string,
  config: AgentConfig,
  given?: Pipeline,
): Promise<AssembledAgent> {
  const settings = resolveSettings(rt.loaded.config, name, config);
  const secrets: string[] = [];
  const onSecrets = (values: string[]) => {
    for (const value of values) rt.secrets.add(value);
    secrets.push(...values);
  };
  const warnings: string[] = [];
  const mcp = await rt.mcp.toolsFor(config.tools ?? [], (message) => warnings.push(message));
  if (mcp) secrets.push(...rt.mcp.secretValues());
  const tools = await assembleTools(rt, settings, onSecrets, mcp?.tools);
  const pipelineWith = (policy: AgentSettings["policy"]) =>
    createPipeline({
      policy,
      mode: settings.mode,
      audit: rt.audit,
      spillRoot: join(rt.stateDir, "spill"),
      clock: rt.clock,
      extraLayers: rt.extraLayers,
      ...(rt.log ? { log: rt.log } : {}),
    });
  const pipeline =
    given ??
    withServerPolicies(
      pipelineWith(settings.policy),
      mcpServersOf(config.tools),
      rt.loaded.config.mcp ?? {},
      (own) => pipelineWith(mergePolicy(settings.policy, own)),
    );
  const instructions = config.instructions_file
    ? readFileSync(config.instructions_file, "utf8")
    : (config.instructions ?? "");
  let model: ModelHandle | undefined;
  let modelError: unknown;
  try {
    if (settings.model)
      model = openModel(rt.loaded.config, settings.model, {
        env: rt.env,
        clock: rt.clock,
        pools: rt.pools,
        secrets: onSecrets,
      });
  } catch (err) {
    modelError = err;
  }
  let answerCheck: AnswerCheck | undefined;
  return {
    settings,
    tools,
    pipeline,
    instructions,
    secrets,
    warnings,
    model() {
      if (modelError !== undefined) throw modelError;
      if (!model) throw missingModel(name);
      return model;
    },
    answerCheck() {
      if (!settings.outputSchema) return undefined;
      answerCheck ??= loadAnswerCheck(settings.outputSchema);
      return answerCheck;
    },
  };
}

/** The error of an agent that runs without a model. */
export function missingModel(name: string): UsageError {
  return new UsageError(`agent "${name}" has no model`, {
    hint: 'set model = "provider/model" in [agents.NAME] or [defaults], or pass --model',
  });
}
