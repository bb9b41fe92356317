import { systemClock } from "../clock/system-clock.ts";
import type { DeferredCall } from "../spec/approval.ts";
import type { ProviderError, SerializedError } from "../spec/errors.ts";
import type { RunEventInput, RunStatus, StopReason } from "../spec/events.ts";
import type { PipelineContext } from "../spec/middleware.ts";
import type { Message, ModelEvent, ModelRequest, ToolCall, ToolSchema, Usage } from "../spec/model.ts";
import { statusOfStop, stopReasonOf } from "../spec/run-stop.ts";
import type { Tool, ToolFailure } from "../spec/tool.ts";
import { vetCallIds } from "./call-ids.ts";
import { type GraceTimer, RunStopRace } from "./run-stop-race.ts";
import {
  type ArgumentParser,
  type GovernedExecutor,
  resultContent,
  runToolCalls,
  writeBackArguments,
} from "./tool-calls.ts";
import { consumeTurn } from "./turn.ts";
import type { UsageMeter } from "./usage-meter.ts";

/** The model as the loop needs it: a bound model reference that streams one turn. */
export interface ModelPort {
  readonly ref: string;
  stream(request: Omit<ModelRequest, "model">): AsyncIterable<ModelEvent>;
}

/** Checks a final answer against `output_schema`; the error goes back to the model. */
export type AnswerCheck = (answer: string) => { ok: true } | { ok: false; error: string };

export interface LoopOptions {
  runId: string;
  agent: string;
  model: ModelPort;
  system: string;
  /** The conversation so far, ending with the new user message. Mutated: the loop appends to it. */
  messages: Message[];
  tools: ReadonlyMap<string, Tool>;
  toolSchemas: ToolSchema[];
  parseArguments: ArgumentParser;
  execute: GovernedExecutor;
  /** This run's approver, redactor and resumed decisions, handed to the pipeline with each call. */
  governance: Pick<PipelineContext, "approver" | "redactor" | "recorded">;
  maxTurns: number;
  meter: UsageMeter;
  cost(usage: Usage): number;
  /** Aborted with a `RunStop` reason on timeout, interrupt or cancellation. */
  signal: AbortSignal;
  emit(event: RunEventInput): void;
  now(): number;
  /** Timers for the grace of calls still running when the run stops; default: the system clock. */
  timer?: GraceTimer;
  /** True when the assistant's text repeats too often (loop detection on text). */
  textRepeats?(text: string): boolean;
  checkAnswer?: AnswerCheck;
  maxAnswerRetries?: number;
  /** Resuming a deferred run: turns already used, and the approved calls to execute first. */
  resume?: { turns: number; calls: ToolCall[] };
}

/** A call deferred for approval: the model's call and what the approval layer recorded of it. */
export interface PendingCall {
  call: ToolCall;
  /** Absent only when a layer other than approval halted for approval. */
  deferral?: DeferredCall;
}

/** How the loop ended; `pendingCalls` are calls deferred for approval, to run on resume. */
export interface LoopResult {
  status: RunStatus;
  stopReason: StopReason;
  answer: string;
  turns: number;
  error?: SerializedError;
  providerError?: ProviderError;
  pendingCalls: PendingCall[];
  /** The layer whose result halted the run (loop, failure limits, approval), for the audit log. */
  haltedBy?: string;
}

/**
 * The agent loop of SPEC §4:
 * ```
 * do { budget? → stream turn → append assistant → run its tool calls concurrently → append results }
 * while (tool calls and no stop)
 * ```
 * Stops on an answer without tool calls, max turns, budget, a halting policy, a provider error or
 * the signal; always returns the partial answer and the reason.
 */
export async function runLoop(options: LoopOptions): Promise<LoopResult> {
  const { messages, emit } = options;
  let turns = 0;
  let answer = "";
  let answerRetries = 0;
  const stop = (status: RunStatus, stopReason: StopReason, extra: Partial<LoopResult> = {}): LoopResult => ({
    status,
    stopReason,
    answer,
    turns,
    pendingCalls: [],
    ...extra,
  });
  const context: PipelineContext = {
    ...options.governance,
    runId: options.runId,
    agent: options.agent,
    signal: options.signal,
    emit,
    now: options.now,
  };

  const callDeps = {
    tools: options.tools,
    parseArguments: options.parseArguments,
    execute: options.execute,
    context,
    emit,
    now: options.now,
    runStop: new RunStopRace(options.signal, options.timer ?? systemClock),
  };

  const runCalls = async (calls: ToolCall[], truncated = false): Promise<LoopResult | undefined> => {
    const settled = await runToolCalls(calls, callDeps, truncated);
    writeBackArguments(messages, settled);
    const pendingCalls: PendingCall[] = [];
    let halt: StopReason | undefined;
    let haltedBy: string | undefined;
    for (const { call, result } of settled) {
      if (!result.ok && result.halt === "awaiting_approval") {
        pendingCalls.push(result.deferral ? { call, deferral: result.deferral } : { call });
        continue;
      }
      messages.push({
        role: "tool",
        toolCallId: call.id,
        toolName: call.name,
        content: resultContent(result),
        ...(result.ok ? {} : { isError: true }),
      });
      if (result.ok || !result.halt) continue;
      const reason = haltReason(result.halt);
      if (halt === undefined || reason === "loop") {
        halt = reason;
        haltedBy = result.stop?.by ?? result.haltBy;
      }
    }
    if (pendingCalls.length > 0) {
      return stop("awaiting_approval", "awaiting_approval", { pendingCalls, haltedBy: "approval" });
    }
    // A run stopped from outside ends so even when a layer halted in the same turn: the calls its
    // stop cancelled fail, and may trip failure limits, which must not turn a Ctrl-C (exit 130) or
    // a sibling's cancellation into a tool error.
    if (options.signal.aborted) return interrupted(stop, options.signal);
    const by = haltedBy ? { haltedBy } : {};
    if (halt === "approval_denied" || halt === "sandbox") return stop("stopped", halt, by);
    if (halt) return stop("failed", halt, by);
    return undefined;
  };

  if (options.resume) {
    turns = options.resume.turns;
    const stopped = await runCalls(options.resume.calls);
    if (stopped) return stopped;
  }

  const onText = (text: string) => emit({ type: "text_delta", text });
  const { redactor } = options.governance;
  const redact = (text: string) => redactor.redact(text);
  let firstOutput: number | undefined;
  const onFirstOutput = () => {
    firstOutput = options.now();
  };
  while (true) {
    if (options.signal.aborted) return interrupted(stop, options.signal);
    if (turns >= options.maxTurns) return stop("failed", "max_turns");
    turns += 1;
    const requested = options.now();
    firstOutput = undefined;
    const turn = await consumeTurn(
      options.model.stream({
        system: options.system,
        messages,
        tools: options.toolSchemas,
        signal: options.signal,
      }),
      onText,
      onFirstOutput,
    );
    if (turn.usage) {
      const cost = options.cost(turn.usage);
      options.meter.add(turn.usage, cost);
      emit({
        type: "usage",
        input_tokens: turn.usage.inputTokens,
        output_tokens: turn.usage.outputTokens,
        cost_usd: cost,
        turn: turns,
        model: options.model.ref,
        duration_ms: Math.round(options.now() - requested),
        ...(firstOutput !== undefined ? { ttft_ms: Math.round(firstOutput - requested) } : {}),
      });
    }
    if (turn.error) {
      answer ||= turn.text;
      if (options.signal.aborted || turn.error.kind === "aborted") return interrupted(stop, options.signal);
      return stop("failed", "provider_error", { error: turn.error.toJSON(), providerError: turn.error });
    }
    answer = turn.text;
    const toolCalls = turn.toolCalls.length ? vetCallIds(turn.toolCalls, turns, redact) : turn.toolCalls;
    messages.push({
      role: "assistant",
      content: turn.text,
      ...(toolCalls.length ? { toolCalls } : {}),
    });
    if (turn.text) emit({ type: "message", role: "assistant", content: turn.text });
    if (options.meter.exceeded()) return stop("stopped", "budget");
    if (turn.text && options.textRepeats?.(turn.text)) return stop("failed", "loop");

    if (toolCalls.length === 0) {
      const verdict = options.checkAnswer?.(turn.text) ?? { ok: true as const };
      if (verdict.ok) return stop("ok", "answer");
      if (answerRetries >= (options.maxAnswerRetries ?? 2)) {
        return stop("failed", "output_schema", {
          error: { name: "OutputSchemaError", message: verdict.error, data: {} },
        });
      }
      answerRetries += 1;
      messages.push({
        role: "user",
        content: `Your answer does not match the required output schema: ${verdict.error}\nReply again with only a JSON value that satisfies the schema.`,
      });
      continue;
    }
    const stopped = await runCalls(toolCalls, turn.finish === "length");
    if (stopped) return stopped;
  }
}

function interrupted(
  stop: (status: RunStatus, reason: StopReason) => LoopResult,
  signal: AbortSignal,
): LoopResult {
  const halted = statusOfStop(stopReasonOf(signal));
  return stop(halted.status, halted.stopReason);
}

/** The stop reason of a run halted by a tool result: `failures` ends it as a tool error. */
function haltReason(halt: NonNullable<ToolFailure["halt"]>): StopReason {
  switch (halt) {
    case "loop":
      return "loop";
    case "failures":
      return "tool_error";
    case "sandbox":
      return "sandbox";
    case "audit":
      return "audit";
    case "approval_denied":
    case "awaiting_approval":
      return "approval_denied";
  }
}
