import type { ProviderError } from "./errors.ts";

/** A JSON Schema object as providers accept it for tool parameters. */
export type JsonSchema = { [key: string]: unknown };

/** A tool call the model asked for. `arguments` is the raw JSON text exactly as the model produced it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * One entry of the conversation, provider-neutral. Providers translate it to their wire format
 * (OpenAI `role: "tool"`, Anthropic `tool_result` blocks, Gemini `functionResponse` parts).
 */
export type Message =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; toolName: string; content: string; isError?: boolean };

/** What the model sees of one tool. Names obey `^[a-zA-Z0-9_-]{1,64}$`. */
export interface ToolSchema {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** One model request: a single streamed turn. */
export interface ModelRequest {
  model: string;
  system?: string;
  messages: Message[];
  tools: ToolSchema[];
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Told before each retry sleep of this request (a model handle is shared by many runs). */
  onRetry?: (info: RetryInfo) => void;
  /** Told when this request moves on to a fallback model. */
  onFallback?: (info: FallbackInfo) => void;
}

/** What `onRetry` learns before each retry sleep, e.g. to print a warning on stderr. */
export interface RetryInfo {
  providerId: string;
  model: string;
  /** 1 for the first retry, 2 for the second… */
  attempt: number;
  delayMs: number;
  error: ProviderError;
}

/** What `onFallback` learns when a model failed before answering and the next fallback is tried. */
export interface FallbackInfo {
  from: string;
  to: string;
  error: ProviderError;
}

/** Token counts of one model response. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

/** Why the model stopped producing output, normalised across providers. */
export type FinishReason = "stop" | "tool-calls" | "length" | "content-filter" | "other";

/**
 * What a provider stream yields. A stream ends with exactly one `finish` or one `error` event,
 * and never throws: cancellation surfaces as an `error` whose kind is `aborted`.
 * Tool calls are announced by `tool-call-start`, grow by `tool-call-delta` and are complete at
 * `tool-call-end`, which carries the full argument text; several may interleave by `index`.
 */
export type ModelEvent =
  | { type: "text-delta"; text: string }
  | { type: "tool-call-start"; index: number; id: string; name: string }
  | { type: "tool-call-delta"; index: number; argumentsDelta: string }
  | { type: "tool-call-end"; index: number; call: ToolCall }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: FinishReason }
  | { type: "error"; error: ProviderError };

/** A model provider: turns one request into one stream of events. Implementations hold no per-run state. */
export interface Provider {
  /** The provider id from the config, e.g. `openai` in `openai/gpt-4.1-mini`. */
  readonly id: string;
  readonly kind: ProviderKind;
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}

export type ProviderKind = "openai" | "openai-compatible" | "ollama" | "anthropic" | "gemini" | "replay";
