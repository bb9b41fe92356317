import { httpError } from "../http/classify.ts";
import { parseProtoDuration, parseRetryAfter } from "../http/retry-delay.ts";
import type { WireProtocol } from "../http/wire-protocol.ts";
import { field, text } from "../shared/json.ts";
import { GeminiDecoder } from "./decoder.ts";
import { geminiBody } from "./request.ts";

/** Default origin of the Gemini API (SPEC §12). */
export const GEMINI_BASE_URL = "https://generativelanguage.googleapis.com";

/** Where and how a Gemini provider talks. */
export interface GeminiSettings {
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  maxOutputTokens: number | undefined;
}

interface GoogleErrorFacts {
  reasons: string[];
  retryDelayMs: number | undefined;
  message: string;
}

/** Reads `error.details[]` of a Google RPC error body (object or one-element array). */
export function googleErrorFacts(body: string): GoogleErrorFacts {
  const facts: GoogleErrorFacts = { reasons: [], retryDelayMs: undefined, message: "" };
  try {
    const parsed: unknown = JSON.parse(body);
    const error = field(Array.isArray(parsed) ? parsed[0] : parsed, "error");
    facts.message = text(error, "message") ?? "";
    const details = field(error, "details");
    for (const detail of Array.isArray(details) ? details : []) {
      const reason = text(detail, "reason");
      if (reason) facts.reasons.push(reason);
      const delay = parseProtoDuration(field(detail, "retryDelay") ?? field(detail, "retry_delay"));
      if (delay !== undefined) facts.retryDelayMs = delay;
    }
  } catch {
    // not JSON: no facts
  }
  return facts;
}

/**
 * The Gemini protocol: `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` with
 * `x-goog-api-key`. A 400 with reason `API_KEY_INVALID` is a rejected credential; a 429's
 * `RetryInfo.retryDelay` is honoured like Retry-After.
 */
export function geminiProtocol(settings: GeminiSettings): WireProtocol {
  const origin = settings.baseUrl.replace(/\/+$/, "").replace(/\/v1(beta)?$/, "");
  const headers: Record<string, string> = {
    ...(settings.apiKey ? { "x-goog-api-key": settings.apiKey } : {}),
    ...settings.headers,
  };
  return {
    buildRequest: (request) => {
      const model = encodeURIComponent(request.model.replace(/^models\//, ""));
      return {
        url: `${origin}/v1beta/models/${model}:streamGenerateContent?alt=sse`,
        headers,
        body: JSON.stringify(geminiBody(request, settings.maxOutputTokens)),
      };
    },
    errorFromResponse: (status, body, responseHeaders, ctx, nowMs) => {
      const facts = googleErrorFacts(body);
      const retryAfterMs = facts.retryDelayMs ?? parseRetryAfter(responseHeaders, nowMs);
      const badKey =
        status === 400 &&
        (facts.reasons.includes("API_KEY_INVALID") || /API key not valid/i.test(facts.message));
      return httpError(ctx, status, body, {
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        forceAuth: badKey,
      });
    },
    createDecoder: (ctx, request) => new GeminiDecoder(ctx, request),
  };
}
