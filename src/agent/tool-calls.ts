import type { ZodType } from "zod";
import type { RunEventInput } from "../spec/events.ts";
import type { PipelineCall, PipelineContext } from "../spec/middleware.ts";
import type { Message, ToolCall } from "../spec/model.ts";
import { RunStop } from "../spec/run-stop.ts";
import type { Tool, ToolResult } from "../spec/tool.ts";
import type { RunStopRace } from "./run-stop-race.ts";

/** Lenient argument parsing (SPEC §8), injected so the loop stays independent of the tools layer. */
export type ArgumentParser = (
  raw: string,
  schema: ZodType<unknown>,
) => { ok: true; args: unknown; repaired: boolean } | { ok: false; error: string };

/** Runs one governed tool call: the whole middleware pipeline around the tool. */
export type GovernedExecutor = (ctx: PipelineContext, call: PipelineCall) => Promise<ToolResult>;

export interface ToolCallDeps {
  tools: ReadonlyMap<string, Tool>;
  parseArguments: ArgumentParser;
  execute: GovernedExecutor;
  context: PipelineContext;
  emit(event: RunEventInput): void;
  now(): number;
  /** The run's race against its stop: the grace a call gets after its run stopped. One per run. */
  runStop: RunStopRace;
}

/**
 * One finished call, in the order the model asked for them. `repairedArguments` is the JSON of
 * the arguments the tool ran with when the model's text needed repair (SPEC §8).
 */
export interface SettledCall {
  call: ToolCall;
  result: ToolResult;
  repairedArguments?: string;
}

/**
 * Runs the calls of one turn concurrently. Unknown tools and malformed arguments become tool
 * errors the model can act on; nothing here throws for a bad call. The calls of a `truncated`
 * turn (the model hit its output limit) are never run: their arguments may be cut short, so
 * each gets a tool error saying so, and the model may send it again.
 *
 * Calls share a turn signal that follows the run's and also aborts when a call fails with
 * `failFast`, cancelling its siblings; a sibling still running one grace period after that is
 * abandoned (`RunStopRace.forTurn`). A turn of one call has no sibling to cancel, so it runs
 * under the run's signal itself, without a controller and a listener of its own
 * (benchmark-driven: one call per turn is the common case, issue 13's 500-agent batch).
 */
export function runToolCalls(
  calls: ToolCall[],
  deps: ToolCallDeps,
  truncated = false,
): Promise<SettledCall[]> {
  if (calls.length === 1) return runAlone(calls[0] as ToolCall, deps, truncated);
  const turn = new AbortController();
  const onRunAbort = () => turn.abort(deps.context.signal.reason);
  if (deps.context.signal.aborted) onRunAbort();
  else deps.context.signal.addEventListener("abort", onRunAbort);
  const turnDeps = { ...deps, runStop: deps.runStop.forTurn(turn.signal) };
  return Promise.all(
    calls.map(async (call): Promise<SettledCall> => {
      const ran = await runOne(call, turnDeps, turn.signal, truncated);
      if (!ran.result.ok && ran.result.failFast && !turn.signal.aborted) {
        turn.abort(new RunStop("cancelled", `${call.name} (call ${call.id}) failed`));
      }
      return settledCall(call, ran);
    }),
  ).finally(() => deps.context.signal.removeEventListener("abort", onRunAbort));
}

async function runAlone(call: ToolCall, deps: ToolCallDeps, truncated: boolean): Promise<SettledCall[]> {
  return [settledCall(call, await runOne(call, deps, deps.context.signal, truncated))];
}

/** What running one call gave: its result, and the arguments as repaired when they had to be. */
interface RanCall {
  result: ToolResult;
  repairedArguments?: string;
}

function settledCall(call: ToolCall, { result, repairedArguments }: RanCall): SettledCall {
  return repairedArguments === undefined ? { call, result } : { call, result, repairedArguments };
}

/**
 * Puts repaired arguments into the assistant message that made the calls, so the history the
 * model sees next turn (and every provider's request built from it) holds what actually ran.
 */
export function writeBackArguments(messages: Message[], settled: SettledCall[]): void {
  const repaired = new Map<string, string>();
  for (const item of settled) {
    if (item.repairedArguments !== undefined) repaired.set(item.call.id, item.repairedArguments);
  }
  if (repaired.size === 0) return;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as Message;
    if (message.role !== "assistant" || !message.toolCalls?.some((call) => repaired.has(call.id))) continue;
    messages[i] = {
      ...message,
      toolCalls: message.toolCalls.map((call) => {
        const fixed = repaired.get(call.id);
        return fixed === undefined ? call : { ...call, arguments: fixed };
      }),
    };
    return;
  }
}

async function runOne(
  call: ToolCall,
  deps: ToolCallDeps,
  signal: AbortSignal,
  truncated: boolean,
): Promise<RanCall> {
  const started = deps.now();
  const tool = deps.tools.get(call.name);
  const parsed = tool && !truncated ? deps.parseArguments(call.arguments, tool.parameters) : undefined;
  deps.emit({
    type: "tool_call",
    id: call.id,
    name: call.name,
    args: parsed?.ok ? parsed.args : call.arguments,
  });
  let result: ToolResult;
  if (truncated) {
    result = {
      ok: false,
      output: "",
      error:
        "not run: your response hit the output token limit, so the arguments of this call were cut off. Send the call again, with shorter arguments if needed",
      stop: { reason: "truncated", by: "arguments" },
    };
  } else if (!tool) {
    const known = [...deps.tools.keys()].join(", ") || "none";
    result = {
      ok: false,
      output: "",
      error: `unknown tool "${call.name}"; available tools: ${known}`,
      stop: { reason: "unknown_tool", by: "registry" },
    };
  } else if (!parsed?.ok) {
    result = {
      ok: false,
      output: "",
      error: `invalid arguments for ${call.name}: ${parsed?.error}`,
      stop: { reason: "arguments", by: "arguments" },
    };
  } else {
    result = await deps.runStop.untilRunStops(
      deps.execute(deps.context, { id: call.id, tool, name: call.name, args: asRecord(parsed.args), signal }),
    );
  }
  deps.emit(resultEvent(call, result, Math.round(deps.now() - started)));
  return parsed?.ok && parsed.repaired
    ? { result, repairedArguments: JSON.stringify(parsed.args) }
    : { result };
}

/** The `tool_result` event of a call, its keys in the documented order, built without spreads. */
function resultEvent(call: ToolCall, result: ToolResult, durationMs: number): RunEventInput {
  if (result.ok) {
    return {
      type: "tool_result",
      id: call.id,
      name: call.name,
      ok: true,
      output: result.output,
      duration_ms: durationMs,
    };
  }
  const event: Extract<RunEventInput, { type: "tool_result" }> = {
    type: "tool_result",
    id: call.id,
    name: call.name,
    ok: false,
    error: result.error,
    output: result.output,
    duration_ms: durationMs,
  };
  if (result.stop) event.stopped_by = result.stop.by;
  return event;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** The text the model sees for a result: the output, or the error followed by any output. */
export function resultContent(result: ToolResult): string {
  if (result.ok) return result.output;
  const error = `error: ${result.error}`;
  return result.output ? `${error}\n${result.output}` : error;
}
