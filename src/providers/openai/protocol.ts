import { httpError } from "../http/classify.ts";
import { parseRetryAfter } from "../http/retry-delay.ts";
import type { WireProtocol } from "../http/wire-protocol.ts";
import { OpenAiDecoder } from "./decoder.ts";
import { createJsonCache } from "./json-cache.ts";
import { openAiBody } from "./request.ts";

/** Default base URLs of the OpenAI-protocol kinds (SPEC §12). */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";
export const OLLAMA_BASE_URL = "http://localhost:11434/v1";

/** How an OpenAI-protocol provider talks: where, with which key and headers. */
export interface OpenAiSettings {
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  /** Send `max_tokens` instead of `max_completion_tokens` (compatible servers, Ollama). */
  legacyMaxTokens: boolean;
  maxOutputTokens: number | undefined;
}

/** The OpenAI Chat Completions protocol: `POST {base}/chat/completions`, `Authorization: Bearer`. */
export function openAiProtocol(settings: OpenAiSettings): WireProtocol {
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const headers: Record<string, string> = {
    ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
    ...settings.headers,
  };
  const cache = createJsonCache();
  return {
    buildRequest: (request) => ({
      url,
      headers,
      body: openAiBody(request, cache, settings.legacyMaxTokens, settings.maxOutputTokens),
    }),
    errorFromResponse: (status, body, responseHeaders, ctx, nowMs) => {
      const retryAfterMs = parseRetryAfter(responseHeaders, nowMs);
      return httpError(ctx, status, body, retryAfterMs !== undefined ? { retryAfterMs } : {});
    },
    createDecoder: (ctx) => new OpenAiDecoder(ctx),
  };
}
