import { httpError } from "../http/classify.ts";
import { parseRetryAfter } from "../http/retry-delay.ts";
import type { WireProtocol } from "../http/wire-protocol.ts";
import { field, text } from "../shared/json.ts";
import { AnthropicDecoder } from "./decoder.ts";
import { anthropicBody } from "./request.ts";

/** Default origin of the Anthropic API (SPEC §12); `/v1/messages` is appended. */
export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
/** The API version header every request carries. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** Where and how an Anthropic provider talks. */
export interface AnthropicSettings {
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  maxOutputTokens: number | undefined;
}

function errorType(body: string): string | undefined {
  try {
    return text(field(JSON.parse(body), "error"), "type");
  } catch {
    return undefined;
  }
}

/** The Anthropic Messages protocol: `x-api-key`, `anthropic-version`, named SSE events. */
export function anthropicProtocol(settings: AnthropicSettings): WireProtocol {
  const origin = settings.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
  const url = `${origin}/v1/messages`;
  const headers: Record<string, string> = {
    "anthropic-version": ANTHROPIC_VERSION,
    ...(settings.apiKey ? { "x-api-key": settings.apiKey } : {}),
    ...settings.headers,
  };
  return {
    buildRequest: (request) => ({
      url,
      headers,
      body: JSON.stringify(anthropicBody(request, settings.maxOutputTokens)),
    }),
    errorFromResponse: (status, body, responseHeaders, ctx, nowMs) => {
      const retryAfterMs = parseRetryAfter(responseHeaders, nowMs);
      return httpError(ctx, status, body, {
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        overloaded: status === 529 || errorType(body) === "overloaded_error",
      });
    },
    createDecoder: (ctx) => new AnthropicDecoder(ctx),
  };
}
