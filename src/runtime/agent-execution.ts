import { type LoopResult, runLoop } from "../agent/loop.ts";
import { renderTemplate } from "../agent/template.ts";
import { type Budget, UsageMeter } from "../agent/usage-meter.ts";
import type { Pipeline } from "../middleware/compose.ts";
import { createTextRepeatDetector } from "../middleware/index.ts";
import { openModel } from "../providers/registry.ts";
import type { ModelHandle } from "../providers/types.ts";
import type { Clock } from "../spec/clock.ts";
import type { UsageTotals } from "../spec/events.ts";
import type { FallbackInfo, Message, RetryInfo, ToolCall } from "../spec/model.ts";
import { RunStop } from "../spec/run-stop.ts";
import { parseToolArguments } from "../tools/arguments.ts";
import { type AgentSettings, settingsForRequest } from "./agent-settings.ts";
import { toolsForRun } from "./agent-tools.ts";
import { assembledUnlessStopped } from "./assembly-wait.ts";
import { type ChildRunner, runChild } from "./child-runs.ts";
import { loadAnswerCheck } from "./output-schema.ts";
import {
  type AssembledAgent,
  type InlineAgent,
  missingModel,
  resolveAgent,
  resolveInlineAgent,
} from "./resolve-agent.ts";
import type { RunRequest } from "./run-request.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";

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
  /** An ephemeral agent (built by `delegate`) instead of a declared one, with its parent's pipeline. */
  inline?: InlineAgent;
  /** Continuing a deferred run: turns and usage so far, and the decided calls to execute first. */
  resume?: { turns: number; calls: ToolCall[]; usage?: UsageTotals };
  /** The top-level agent, already resolved by the run. */
  assembled?: AssembledAgent;
}

/** The loop's result plus what the run reports about usage. */
export interface AgentOutcome extends LoopResult {
  meter: UsageMeter;
  model: string;
}

/**
 * Runs one agent of a run on its assembled model, tools and pipeline. The run's values (id,
 * approver, redactor, signal, events) go to the pipeline through the loop's context. The top
 * level takes the request's overrides and its deadline from the run; a sub-agent runs under its
 * own `timeout`.
 */
export async function executeAgent(
  rt: RuntimeContext,
  scope: RunScope,
  exec: AgentExecution,
): Promise<AgentOutcome> {
  const assembled =
    exec.assembled ??
    (await assembledUnlessStopped(
      exec.inline
        ? resolveInlineAgent(rt, exec.agent, exec.inline.config, exec.inline.pipeline)
        : resolveAgent(rt, exec.agent),
      exec.signal,
    ));
  const isTop = exec.depth === 0;
  const settings = isTop ? settingsForRequest(assembled.settings, scope.request) : assembled.settings;
  const emit = scope.emitFor(exec.runId, exec.agent);
  const model = modelOf(rt, scope, assembled, settings);
  if (assembled.secrets.length > 0) scope.redactor.addSecrets(assembled.secrets);
  for (const message of assembled.warnings) emit({ type: "warning", message });
  const system = renderTemplate(isTop ? instructionsFor(assembled, scope.request) : assembled.instructions, {
    ...settings.config.vars,
    ...scope.request.vars,
  });
  if (system.missing.length > 0) {
    emit({
      type: "warning",
      message: `instructions use undefined variables: ${system.missing.join(", ")} (pass --var name=value)`,
    });
  }
  const meter = new UsageMeter(tighterBudget(settings.budget, exec.budgetCap));
  if (exec.resume?.usage) meter.addTotals(exec.resume.usage);
  const deadline = isTop ? undefined : childDeadline(rt.clock, exec.signal, settings.timeoutMs);
  const signal = deadline?.signal ?? exec.signal;
  const tools = toolsForRun(assembled.tools, () =>
    childRunner(
      rt,
      scope,
      { runId: exec.runId, agent: exec.agent, depth: exec.depth, meter },
      model.ref,
      assembled.pipeline,
    ),
  );
  const answerCheck =
    settings.outputSchema === assembled.settings.outputSchema
      ? assembled.answerCheck()
      : settings.outputSchema
        ? loadAnswerCheck(settings.outputSchema)
        : undefined;
  const textRepeats = createTextRepeatDetector(settings.textRepeatLimit);
  const onRetry = (info: RetryInfo) =>
    emit({
      type: "warning",
      message: `${info.providerId}/${info.model}: ${info.error.message}; retry ${info.attempt} in ${Math.round(info.delayMs)}ms`,
      data: {
        retry: info.attempt,
        delay_ms: Math.round(info.delayMs),
        error_kind: info.error.kind,
        ...(info.error.status !== undefined ? { status: info.error.status } : {}),
        ...(info.error.retryAfterMs !== undefined ? { retry_after_ms: info.error.retryAfterMs } : {}),
      },
    });
  const onFallback = (info: FallbackInfo) => {
    scope.redactor.addSecrets([...rt.secrets]);
    emit({
      type: "warning",
      message: `${info.from} failed (${info.error.message}); falling back to ${info.to}`,
    });
  };
  rt.pacer.enter();
  let result: LoopResult;
  try {
    result = await runLoop({
      runId: exec.runId,
      agent: exec.agent,
      model: {
        ref: model.ref,
        stream: (modelRequest) => {
          rt.pacer.tick();
          return model.stream({ ...modelRequest, onRetry, onFallback });
        },
      },
      system: system.text,
      messages: exec.messages,
      tools,
      toolSchemas: assembled.tools.schemas,
      parseArguments: parseToolArguments,
      execute: assembled.pipeline,
      governance: {
        approver: scope.approver,
        redactor: scope.redactor,
        ...(scope.recorded ? { recorded: scope.recorded } : {}),
      },
      maxTurns: settings.maxTurns,
      meter,
      cost: (usage) => rt.prices.costUsd(model.ref, usage).usd,
      signal,
      emit,
      now: rt.now,
      timer: rt.clock,
      textRepeats: (text) => textRepeats.check(text),
      ...(exec.resume ? { resume: { turns: exec.resume.turns, calls: exec.resume.calls } } : {}),
      ...(answerCheck ? { checkAnswer: answerCheck } : {}),
    });
  } finally {
    rt.pacer.leave();
    deadline?.clear();
  }
  return { ...result, meter, model: model.ref };
}

/**
 * The model of this execution: the assembled agent's, or for a top-level run that replays,
 * records or names another model, one opened for the run.
 */
function modelOf(
  rt: RuntimeContext,
  scope: RunScope,
  assembled: AssembledAgent,
  settings: AgentSettings,
): ModelHandle {
  const { replayFile, recordFile } = scope.request;
  if (!replayFile && !recordFile && settings.model === assembled.settings.model) return assembled.model();
  if (!settings.model) throw missingModel(settings.name);
  return openModel(rt.loaded.config, settings.model, {
    env: rt.env,
    clock: rt.clock,
    pools: rt.pools,
    secrets: (values) => {
      for (const value of values) rt.secrets.add(value);
      scope.redactor.addSecrets(values);
    },
    redact: (text) => scope.redactor.redact(text),
    ...(replayFile ? { replayFile } : {}),
    ...(recordFile ? { record: rt.cassette(recordFile) } : {}),
  });
}

/** The top-level agent's instructions with the run's replacement and addition applied. */
function instructionsFor(assembled: AssembledAgent, request: RunRequest): string {
  const base = request.instructions ?? assembled.instructions;
  if (!request.appendInstructions) return base;
  return base === "" ? request.appendInstructions : `${base}\n\n${request.appendInstructions}`;
}

/** The starter of sub-agents handed to this execution's child tools. */
function childRunner(
  rt: RuntimeContext,
  scope: RunScope,
  parent: { runId: string; agent: string; depth: number; meter: UsageMeter },
  model: string,
  pipeline: Pipeline,
): ChildRunner {
  // A sub-agent (depth ≥ 1) was started by `runChild` and holds a concurrency slot while it runs.
  const from = { ...parent, activeChildren: { count: 0 }, holdsSlot: parent.depth > 0 };
  return {
    agent: parent.agent,
    model,
    clock: rt.clock,
    pipeline,
    remaining: () => parent.meter.remaining(),
    run: (spec, signal) => runChild(rt, scope, from, spec, signal, executeAgent),
  };
}

/** A sub-agent's own deadline (`timeout`), on top of its parent's signal. */
function childDeadline(
  clock: Clock,
  parent: AbortSignal,
  ms: number,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new RunStop("timeout")), ms);
  return {
    signal: AbortSignal.any([parent, controller.signal]),
    clear: () => clock.clearTimeout(timer),
  };
}

function tighterBudget(own: Budget, cap: Budget | undefined): Budget {
  if (!cap) return own;
  const pick = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const usd = pick(own.usd, cap.usd);
  const tokens = pick(own.tokens, cap.tokens);
  return { ...(usd !== undefined ? { usd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}
