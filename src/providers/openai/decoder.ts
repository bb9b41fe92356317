import { ProviderError } from "../../spec/errors.ts";
import type { FinishReason, ModelEvent, Usage } from "../../spec/model.ts";
import { type ErrorContext, errorDetail, protocolError } from "../http/classify.ts";
import type { SseMessage, StreamDecoder } from "../http/wire-protocol.ts";
import { asObject, countValue, type JsonObject, parseJsonObject } from "../shared/json.ts";
import { ToolCallAssembler } from "../shared/tool-call-assembler.ts";

/** Maps OpenAI's `finish_reason` onto agentry's. */
export function openAiFinish(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case "stop":
      return hasToolCalls ? "tool-calls" : "stop";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "length":
      return "length";
    case "content_filter":
      return "content-filter";
    case undefined:
      return hasToolCalls ? "tool-calls" : "stop";
    default:
      return "other";
  }
}

function readUsage(raw: unknown): Usage | undefined {
  const usage = asObject(raw);
  const input = countValue(usage?.["prompt_tokens"]);
  const output = countValue(usage?.["completion_tokens"]);
  if (input === undefined && output === undefined) return undefined;
  const cached = countValue(asObject(usage?.["prompt_tokens_details"])?.["cached_tokens"]);
  return {
    inputTokens: input ?? 0,
    outputTokens: output ?? 0,
    ...(cached ? { cachedInputTokens: cached } : {}),
  };
}

/**
 * Decodes Chat Completions chunks. The turn completes at `data: [DONE]`; a stream that closes
 * after a `finish_reason` but without `[DONE]` (some compatible servers) is accepted, one that
 * closes earlier is a protocol error.
 */
export class OpenAiDecoder implements StreamDecoder {
  readonly #ctx: ErrorContext;
  readonly #calls = new ToolCallAssembler();
  #finishReason: string | undefined;
  #usage: Usage | undefined;

  constructor(ctx: ErrorContext) {
    this.#ctx = ctx;
  }

  push(message: SseMessage): ModelEvent[] {
    const data = message.data.trim();
    if (data === "[DONE]") return this.#complete();
    if (data === "") return [];
    const chunk = parseJsonObject(this.#ctx, data);
    if (chunk.error !== undefined && chunk.error !== null) {
      throw new ProviderError(
        `provider "${this.#ctx.providerId}" reported an error mid-stream: ${errorDetail(data, this.#ctx.secrets)}`,
        { provider: this.#ctx.providerId, kind: "server" },
      );
    }
    const usage = readUsage(chunk["usage"]);
    if (usage) this.#usage = usage;
    const events: ModelEvent[] = [];
    const choices = chunk["choices"];
    if (!Array.isArray(choices)) return events;
    for (let c = 0; c < choices.length; c++) {
      const choice = asObject(choices[c]);
      const index = choice?.["index"];
      if (typeof index === "number" && index !== 0) continue;
      const delta = asObject(choice?.["delta"]);
      const content = delta?.["content"];
      if (typeof content === "string" && content) events.push({ type: "text-delta", text: content });
      const toolCalls = delta?.["tool_calls"];
      if (Array.isArray(toolCalls)) {
        for (let position = 0; position < toolCalls.length; position++) {
          this.#toolDelta(asObject(toolCalls[position]), position, events);
        }
      }
      const reason = choice?.["finish_reason"];
      if (typeof reason === "string" && reason) this.#finishReason = reason;
    }
    return events;
  }

  end(): ModelEvent[] {
    if (this.#finishReason === undefined) {
      throw protocolError(this.#ctx, "stream ended before the model finished (no finish_reason or [DONE])");
    }
    return this.#complete();
  }

  /** Appends the events of one `tool_calls` entry to `events`. */
  #toolDelta(entry: JsonObject | undefined, position: number, events: ModelEvent[]): void {
    const index = countValue(entry?.["index"]) ?? position;
    const fn = asObject(entry?.["function"]);
    if (!this.#calls.has(index)) {
      const id = entry?.["id"];
      const name = fn?.["name"];
      events.push(
        this.#calls.start(
          index,
          typeof id === "string" ? id : `call_${index}`,
          typeof name === "string" ? name : "",
        ),
      );
    }
    const fragment = fn?.["arguments"];
    const appended = this.#calls.append(index, typeof fragment === "string" ? fragment : "");
    if (appended) events.push(appended);
  }

  #complete(): ModelEvent[] {
    const events = this.#calls.complete();
    if (this.#usage) events.push({ type: "usage", usage: this.#usage });
    events.push({ type: "finish", reason: openAiFinish(this.#finishReason, this.#calls.size > 0) });
    return events;
  }
}
