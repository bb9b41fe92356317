import type { ProviderError } from "../../spec/errors.ts";
import type { ModelEvent, ModelRequest } from "../../spec/model.ts";
import type { ErrorContext } from "./classify.ts";

/** One HTTP request a protocol wants sent: always a JSON POST answered by an SSE stream. */
export interface WireRequest {
  url: string;
  headers: Record<string, string>;
  /** The JSON text of the body. */
  body: string;
}

/** One server-sent event as the SSE parser delivers it. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
}

/** Response headers as undici gives them (lower-case names). */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * Turns the SSE messages of one response into model events. `push` may throw a ProviderError
 * (a mid-stream `error` event, malformed JSON); it returns a `finish` event once the stream is
 * complete. `end` is called when the body ends: it returns the final events, or throws a
 * protocol error when the stream stopped before it was complete.
 */
export interface StreamDecoder {
  push(message: SseMessage): ModelEvent[];
  end(): ModelEvent[];
}

/** What makes a provider kind: how to build a request, read an error response, and decode a stream. */
export interface WireProtocol {
  buildRequest(request: ModelRequest): WireRequest;
  errorFromResponse(
    status: number,
    body: string,
    headers: ResponseHeaders,
    ctx: ErrorContext,
    nowMs: number,
  ): ProviderError;
  /** A fresh decoder for one response to `request` (Gemini derives stable call ids from it). */
  createDecoder(ctx: ErrorContext, request: ModelRequest): StreamDecoder;
}
