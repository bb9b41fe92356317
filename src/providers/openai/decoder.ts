import { ProviderError } from "../../spec/errors.ts";
import type { FinishReason, ModelEvent, Usage } from "../../spec/model.ts";
import { type ErrorContext, errorDetail, protocolError } from "../http/classify.ts";
import type { SseMessage, StreamDecoder } from "../http/wire-protocol.ts";
import { count, field, parseJsonObject, text } from "../shared/json.ts";
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
  const input = count(raw, "prompt_tokens");
  const output = count(raw, "completion_tokens");
  if (input === undefined && output === undefined) return undefined;
  const cached = count(field(raw, "prompt_tokens_details"), "cached_tokens");
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
    const usage = readUsage(chunk.usage);
    if (usage) this.#usage = usage;
    const events: ModelEvent[] = [];
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if ((count(choice, "index") ?? 0) !== 0) continue;
      const delta = field(choice, "delta");
      const content = text(delta, "content");
      if (content) events.push({ type: "text-delta", text: content });
      const toolCalls = field(delta, "tool_calls");
      if (Array.isArray(toolCalls)) {
        toolCalls.forEach((entry: unknown, position: number) => {
          events.push(...this.#toolDelta(entry, position));
        });
      }
      const reason = text(choice, "finish_reason");
      if (reason) this.#finishReason = reason;
    }
    return events;
  }

  end(): ModelEvent[] {
    if (this.#finishReason === undefined) {
      throw protocolError(this.#ctx, "stream ended before the model finished (no finish_reason or [DONE])");
    }
    return this.#complete();
  }

  #toolDelta(entry: unknown, position: number): ModelEvent[] {
    const index = count(entry, "index") ?? position;
    const fn = field(entry, "function");
    const events: ModelEvent[] = [];
    if (!this.#calls.has(index)) {
      const id = text(entry, "id") ?? `call_${index}`;
      events.push(this.#calls.start(index, id, text(fn, "name") ?? ""));
    }
    events.push(...this.#calls.append(index, text(fn, "arguments") ?? ""));
    return events;
  }

  #complete(): ModelEvent[] {
    const events = this.#calls.complete();
    if (this.#usage) events.push({ type: "usage", usage: this.#usage });
    events.push({ type: "finish", reason: openAiFinish(this.#finishReason, this.#calls.size > 0) });
    return events;
  }
}
