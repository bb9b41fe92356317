import { ProviderError } from "../../spec/errors.ts";
import type { FinishReason, ModelEvent, ModelRequest, Usage } from "../../spec/model.ts";
import { type ErrorContext, errorDetail, protocolError } from "../http/classify.ts";
import type { SseMessage, StreamDecoder } from "../http/wire-protocol.ts";
import { count, field, parseJsonObject, text } from "../shared/json.ts";
import { ToolCallAssembler } from "../shared/tool-call-assembler.ts";

/** Either spelling of a field: Gemini writes camelCase, some proxies snake_case. */
function either(value: unknown, camel: string, snake: string): unknown {
  return field(value, camel) ?? field(value, snake);
}

/** Maps Gemini's `finishReason` onto agentry's. */
export function geminiFinish(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case "STOP":
      return hasToolCalls ? "tool-calls" : "stop";
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
      return "content-filter";
    default:
      return "other";
  }
}

/**
 * A stable id for a function call Gemini sent without one: derived from the position of the
 * turn in the conversation and the call's order, so recording and replaying agree and ids
 * never repeat within a conversation.
 */
export function syntheticCallId(request: ModelRequest, index: number): string {
  return `call_${request.messages.length}_${index}`;
}

/**
 * Decodes `streamGenerateContent?alt=sse`. There is no terminator: the turn is complete when
 * the body ends after a chunk that carried a `finishReason`; ending earlier is a protocol error.
 * Function calls arrive whole and are numbered in arrival order.
 */
export class GeminiDecoder implements StreamDecoder {
  readonly #ctx: ErrorContext;
  readonly #request: ModelRequest;
  readonly #calls = new ToolCallAssembler();
  #finishReason: string | undefined;
  #usage: Usage | undefined;

  constructor(ctx: ErrorContext, request: ModelRequest) {
    this.#ctx = ctx;
    this.#request = request;
  }

  push(message: SseMessage): ModelEvent[] {
    if (message.data.trim() === "") return [];
    const chunk = parseJsonObject(this.#ctx, message.data);
    if (chunk.error !== undefined) {
      throw new ProviderError(
        `provider "${this.#ctx.providerId}" reported an error mid-stream: ${errorDetail(message.data, this.#ctx.secrets)}`,
        { provider: this.#ctx.providerId, kind: "server" },
      );
    }
    this.#readUsage(either(chunk, "usageMetadata", "usage_metadata"));
    const blocked = text(either(chunk, "promptFeedback", "prompt_feedback"), "blockReason");
    if (blocked) this.#finishReason = "SAFETY";
    const candidates = chunk.candidates;
    const candidate: unknown = Array.isArray(candidates) ? candidates[0] : undefined;
    const events: ModelEvent[] = [];
    const parts = field(field(candidate, "content"), "parts");
    if (Array.isArray(parts)) {
      for (const part of parts) events.push(...this.#part(part));
    }
    const reason = text(candidate, "finishReason") ?? text(candidate, "finish_reason");
    if (reason) this.#finishReason = reason;
    return events;
  }

  end(): ModelEvent[] {
    if (this.#finishReason === undefined) {
      throw protocolError(this.#ctx, "stream ended before the model finished (no finishReason)");
    }
    const events = this.#calls.complete();
    if (this.#usage) events.push({ type: "usage", usage: this.#usage });
    events.push({ type: "finish", reason: geminiFinish(this.#finishReason, this.#calls.size > 0) });
    return events;
  }

  #part(part: unknown): ModelEvent[] {
    const call = either(part, "functionCall", "function_call");
    if (call !== undefined) {
      const index = this.#calls.size;
      const id = text(call, "id") || syntheticCallId(this.#request, index);
      const args = field(call, "args");
      const start = this.#calls.start(index, id, text(call, "name") ?? "");
      const appended = this.#calls.append(index, JSON.stringify(args ?? {}));
      return appended ? [start, appended] : [start];
    }
    const piece = text(part, "text");
    if (!piece || field(part, "thought") === true) return [];
    return [{ type: "text-delta", text: piece }];
  }

  #readUsage(raw: unknown): void {
    if (raw === undefined) return;
    const input = count(raw, "promptTokenCount", "prompt_token_count") ?? 0;
    const output =
      (count(raw, "candidatesTokenCount", "candidates_token_count") ?? 0) +
      (count(raw, "thoughtsTokenCount", "thoughts_token_count") ?? 0);
    const cached = count(raw, "cachedContentTokenCount", "cached_content_token_count");
    this.#usage = {
      inputTokens: input,
      outputTokens: output,
      ...(cached ? { cachedInputTokens: cached } : {}),
    };
  }
}
