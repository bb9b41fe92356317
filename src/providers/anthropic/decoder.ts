import { ProviderError, type ProviderErrorKind } from "../../spec/errors.ts";
import type { FinishReason, ModelEvent, Usage } from "../../spec/model.ts";
import { type ErrorContext, errorDetail, protocolError } from "../http/classify.ts";
import type { SseMessage, StreamDecoder } from "../http/wire-protocol.ts";
import { count, field, parseJsonObject, text } from "../shared/json.ts";
import { ToolCallAssembler } from "../shared/tool-call-assembler.ts";

/** Maps Anthropic's `stop_reason` onto agentry's. */
export function anthropicFinish(reason: string | undefined): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "tool_use":
      return "tool-calls";
    case "max_tokens":
      return "length";
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}

/** The ProviderError kind of an Anthropic `error.type`. */
export function anthropicErrorKind(type: string | undefined): ProviderErrorKind {
  switch (type) {
    case "overloaded_error":
      return "overloaded";
    case "rate_limit_error":
      return "rate_limit";
    case "authentication_error":
    case "permission_error":
      return "auth";
    case "invalid_request_error":
      return "bad_request";
    case "not_found_error":
      return "not_found";
    default:
      return "server";
  }
}

/**
 * Decodes the Messages event stream. Tool calls are numbered 0, 1, … in block order. The turn
 * completes at `message_stop`; an `error` event mid-stream becomes a ProviderError.
 */
export class AnthropicDecoder implements StreamDecoder {
  readonly #ctx: ErrorContext;
  readonly #calls = new ToolCallAssembler();
  readonly #toolIndexOfBlock = new Map<number, number>();
  #input = 0;
  #cached = 0;
  #output = 0;
  #sawUsage = false;
  #stopReason: string | undefined;

  constructor(ctx: ErrorContext) {
    this.#ctx = ctx;
  }

  push(message: SseMessage): ModelEvent[] {
    if (message.data.trim() === "") return [];
    const payload = parseJsonObject(this.#ctx, message.data);
    const type = message.event ?? text(payload, "type");
    switch (type) {
      case "message_start":
        this.#readUsage(field(payload.message, "usage"));
        return [];
      case "content_block_start":
        return this.#blockStart(count(payload, "index") ?? 0, payload.content_block);
      case "content_block_delta":
        return this.#blockDelta(count(payload, "index") ?? 0, payload.delta);
      case "message_delta":
        this.#stopReason = text(payload.delta, "stop_reason") ?? this.#stopReason;
        this.#readUsage(payload.usage);
        return [];
      case "message_stop":
        return this.#complete();
      case "error":
        throw this.#streamError(payload, message.data);
      default:
        return [];
    }
  }

  end(): ModelEvent[] {
    throw protocolError(this.#ctx, "stream ended before message_stop");
  }

  #readUsage(usage: unknown): void {
    const input = count(usage, "input_tokens");
    const cacheRead = count(usage, "cache_read_input_tokens") ?? 0;
    const cacheWrite = count(usage, "cache_creation_input_tokens") ?? 0;
    if (input !== undefined) {
      this.#input = input + cacheRead + cacheWrite;
      this.#cached = cacheRead;
      this.#sawUsage = true;
    }
    const output = count(usage, "output_tokens");
    if (output !== undefined) {
      this.#output = output;
      this.#sawUsage = true;
    }
  }

  #blockStart(block: number, content: unknown): ModelEvent[] {
    const kind = text(content, "type");
    if (kind === "text") {
      const initial = text(content, "text");
      return initial ? [{ type: "text-delta", text: initial }] : [];
    }
    if (kind !== "tool_use") return [];
    const index = this.#toolIndexOfBlock.size;
    this.#toolIndexOfBlock.set(block, index);
    return [this.#calls.start(index, text(content, "id") ?? `toolu_${index}`, text(content, "name") ?? "")];
  }

  #blockDelta(block: number, delta: unknown): ModelEvent[] {
    const kind = text(delta, "type");
    if (kind === "text_delta") {
      const piece = text(delta, "text");
      return piece ? [{ type: "text-delta", text: piece }] : [];
    }
    if (kind === "input_json_delta") {
      const index = this.#toolIndexOfBlock.get(block);
      const appended =
        index === undefined ? undefined : this.#calls.append(index, text(delta, "partial_json") ?? "");
      return appended ? [appended] : [];
    }
    return [];
  }

  #streamError(payload: Record<string, unknown>, raw: string): ProviderError {
    const kind = anthropicErrorKind(text(payload.error, "type"));
    return new ProviderError(
      `provider "${this.#ctx.providerId}" reported ${kind} mid-stream: ${errorDetail(raw, this.#ctx.secrets)}`,
      { provider: this.#ctx.providerId, kind, ...(kind === "auth" ? { retryable: false } : {}) },
    );
  }

  #complete(): ModelEvent[] {
    const events = this.#calls.complete();
    if (this.#sawUsage) {
      const usage: Usage = { inputTokens: this.#input, outputTokens: this.#output };
      if (this.#cached) usage.cachedInputTokens = this.#cached;
      events.push({ type: "usage", usage });
    }
    events.push({ type: "finish", reason: anthropicFinish(this.#stopReason) });
    return events;
  }
}
