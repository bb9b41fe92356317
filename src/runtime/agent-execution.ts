import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type LoopResult, runLoop } from "../agent/loop.ts";
import { renderTemplate } from "../agent/template.ts";
import { type Budget, UsageMeter } from "../agent/usage-meter.ts";
import type { AgentConfig, Mode } from "../config/schema.ts";
import type { McpAgentTools } from "../mcp/server-pool.ts";
import { createTextRepeatDetector, mergePolicy } from "../middleware/index.ts";
import { createPipeline } from "../middleware/pipeline.ts";
import { costUsd } from "../providers/pricing.ts";
import { openModel } from "../providers/registry.ts";
import { UsageError } from "../spec/errors.ts";
import type { RunEventInput, UsageTotals } from "../spec/events.ts";
import type { Message, ToolCall } from "../spec/model.ts";
import { parseToolArguments } from "../tools/arguments.ts";
import { loadToolKinds } from "../tools/registry.ts";
import { buildAgentTools } from "./agent-tools.ts";
import { withServerPolicies } from "./mcp-servers.ts";
import { loadAnswerCheck } from "./output-schema.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";

const DEFAULT_MAX_TURNS = 20;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** One agent to execute inside a run: the top-level agent or a sub-agent. */
export interface AgentExecution {
  agent: string;
  runId: string;
  /** History plus the new user message; appended to by the loop. */
  messages: Message[];
  depth: number;
  signal: AbortSignal;
  /** A cap from the parent (its remaining budget share); the tighter of this and the agent's own. */
  budgetCap?: Budget;
  /** An ephemeral agent (built by `delegate`) instead of a declared one. */
  inline?: AgentConfig;
  /** Continuing a deferred run: turns and usage so far, and the decided calls to execute first. */
  resume?: { turns: number; calls: ToolCall[]; usage?: UsageTotals };
}

/** The loop's result plus what the run reports about usage. */
export interface AgentOutcome extends LoopResult {
  meter: UsageMeter;
  model: string;
}

/** Looks up an agent or fails with a usage error listing the known ones. */
export function agentConfig(rt: RuntimeContext, name: string): AgentConfig {
  const agent = rt.loaded.config.agents?.[name];
  if (!agent) {
    const known = Object.keys(rt.loaded.config.agents ?? {}).join(", ") || "none";
    throw new UsageError(`unknown agent "${name}"; configured agents: ${known}`);
  }
  return agent;
}

/** Builds the agent's model, tools and governance pipeline, then runs the loop. */
export async function executeAgent(
  rt: RuntimeContext,
  scope: RunScope,
  exec: AgentExecution,
): Promise<AgentOutcome> {
  const { config } = rt.loaded;
  const agent = exec.inline ?? agentConfig(rt, exec.agent);
  const defaults = config.defaults ?? {};
  const request = scope.request;
  const isTop = exec.depth === 0;
  const modelRef = (isTop ? request.model : undefined) ?? agent.model ?? defaults.model;
  if (!modelRef) {
    throw new UsageError(`agent "${exec.agent}" has no model`, {
      hint: 'set model = "provider/model" in [agents.NAME] or [defaults], or pass --model',
    });
  }
  const emit = scope.emitFor(exec.runId, exec.agent);
  const model = openModel(config, modelRef, {
    env: rt.env,
    secrets: (values) => {
      for (const value of values) rt.secrets.add(value);
      scope.redactor.addSecrets(values);
    },
    onRetry: (info) =>
      emit({
        type: "warning",
        message: `${info.providerId}/${info.model}: ${info.error.message}; retry ${info.attempt} in ${Math.round(info.delayMs)}ms`,
      }),
    onFallback: (info) =>
      emit({
        type: "warning",
        message: `${info.from} failed (${info.error.message}); falling back to ${info.to}`,
      }),
    ...(request.replayFile ? { replayFile: request.replayFile } : {}),
    ...(request.recordFile ? { recordFile: request.recordFile } : {}),
  });
  const policy = mergePolicy(defaults.policy, agent.policy);
  const mode: Mode = agent.mode ?? defaults.mode ?? "ask";
  const mcp = await mcpToolsOf(rt, scope, agent, emit);
  const pipelineWith = (effective: typeof policy) =>
    createPipeline({
      policy: effective,
      mode,
      audit: rt.audit,
      approver: scope.approver,
      redactor: scope.redactor,
      spillDir: join(rt.stateDir, "spill", scope.runId),
      preDecided: scope.preDecided,
      extraLayers: rt.extraLayers,
      ...(rt.log ? { log: rt.log } : {}),
    });
  const execute = withServerPolicies(pipelineWith(policy), mcp, config.mcp ?? {}, (own) =>
    pipelineWith(mergePolicy(policy, own)),
  );
  const system = instructionsOf(agent, { ...agent.vars, ...request.vars });
  if (system.missing.length > 0) {
    emit({
      type: "warning",
      message: `instructions use undefined variables: ${system.missing.join(", ")} (pass --var name=value)`,
    });
  }
  const meter = new UsageMeter(
    tighterBudget(isTop ? (request.budget ?? agent.budget ?? defaults.budget) : agent.budget, exec.budgetCap),
  );
  if (exec.resume?.usage) {
    const { input_tokens, output_tokens, cost_usd } = exec.resume.usage;
    meter.add({ inputTokens: input_tokens, outputTokens: output_tokens }, cost_usd);
  }
  await loadToolKinds((agent.tools ?? []).map((entry) => config.tools?.[entry]?.kind ?? ""));
  const tools = buildAgentTools(
    rt,
    scope,
    exec,
    agent,
    {
      runId: exec.runId,
      agent: exec.agent,
      depth: exec.depth,
      meter,
      activeChildren: { count: 0 },
    },
    modelRef,
    mcp?.tools,
  );
  const outputSchema = (isTop ? request.outputSchema : undefined) ?? agent.output_schema;
  const textRepeatLimit = policy.loop?.max_text_repeats ?? policy.loop?.max_repeats ?? 3;
  const textRepeats = createTextRepeatDetector(textRepeatLimit);
  rt.pacer.enter();
  let result: LoopResult;
  try {
    result = await runLoop({
      runId: exec.runId,
      agent: exec.agent,
      model: {
        ...model,
        stream: (modelRequest) => {
          rt.pacer.tick();
          return model.stream(modelRequest);
        },
      },
      system: system.text,
      messages: exec.messages,
      tools: tools.byName,
      toolSchemas: tools.schemas,
      parseArguments: parseToolArguments,
      execute,
      maxTurns:
        (isTop ? request.maxTurns : undefined) ?? agent.max_turns ?? defaults.max_turns ?? DEFAULT_MAX_TURNS,
      meter,
      cost: (usage) => costUsd(model.ref, usage, config.pricing).usd,
      signal: exec.signal,
      emit,
      now: rt.now,
      textRepeats: (text) => textRepeats.check(text),
      ...(exec.resume ? { resume: { turns: exec.resume.turns, calls: exec.resume.calls } } : {}),
      ...(outputSchema ? { checkAnswer: loadAnswerCheck(outputSchema) } : {}),
    });
  } finally {
    rt.pacer.leave();
  }
  return { ...result, meter, model: model.ref };
}

/**
 * Starts the MCP servers the agent lists (or finds them started) and returns their tools. Secrets
 * read while starting (tokens, `set_env`) reach this run's redactor before any warning or error
 * about a server is emitted.
 */
async function mcpToolsOf(
  rt: RuntimeContext,
  scope: RunScope,
  agent: AgentConfig,
  emit: (event: RunEventInput) => void,
): Promise<McpAgentTools | undefined> {
  const warnings: string[] = [];
  try {
    return await rt.mcp.toolsFor(agent.tools ?? [], (message) => warnings.push(message));
  } finally {
    scope.redactor.addSecrets([...rt.secrets]);
    for (const message of warnings) emit({ type: "warning", message });
  }
}

/** The agent's wall-clock limit in milliseconds. */
export function timeoutOf(rt: RuntimeContext, agent: AgentConfig, override?: number): number {
  return override ?? agent.timeout ?? rt.loaded.config.defaults?.timeout ?? DEFAULT_TIMEOUT_MS;
}

function instructionsOf(
  agent: AgentConfig,
  vars: Record<string, string>,
): { text: string; missing: string[] } {
  const template = agent.instructions_file
    ? readFileSync(agent.instructions_file, "utf8")
    : (agent.instructions ?? "");
  return renderTemplate(template, vars);
}

function tighterBudget(own: Budget | undefined, cap: Budget | undefined): Budget {
  const pick = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const usd = pick(own?.usd, cap?.usd);
  const tokens = pick(own?.tokens, cap?.tokens);
  return { ...(usd !== undefined ? { usd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}
