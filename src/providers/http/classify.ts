import { isRetryableStatus, ProviderError, type ProviderErrorKind } from "../../spec/errors.ts";
import { redactSecrets } from "./redact.ts";

/** What error messages may mention about the provider: its id, the variable holding its key, and the secrets to hide. */
export interface ErrorContext {
  providerId: string;
  /** `OPENAI_API_KEY` when the config says `api_key = "${OPENAI_API_KEY}"`. */
  keyVariable: string | undefined;
  /** Resolved secret values (the key, header values) that must never appear in a message. */
  secrets: readonly string[];
}

const MAX_DETAIL = 400;

/** The human part of an error body: `error.message` of the JSON envelope all three providers use, else the text. */
export function errorDetail(body: string, secrets: readonly string[]): string {
  let detail = body.trim();
  try {
    const parsed: unknown = JSON.parse(body);
    const envelope = Array.isArray(parsed) ? parsed[0] : parsed;
    if (envelope && typeof envelope === "object" && "error" in envelope) {
      const error = (envelope as { error: unknown }).error;
      if (error && typeof error === "object" && "message" in error && typeof error.message === "string") {
        detail = error.message;
      } else if (typeof error === "string") {
        detail = error;
      }
    }
  } catch {
    // not JSON: keep the text
  }
  const redacted = redactSecrets(detail, secrets);
  return redacted.length > MAX_DETAIL ? `${redacted.slice(0, MAX_DETAIL)}…` : redacted;
}

function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 529) return "overloaded";
  if (status === 408) return "timeout";
  if (status === 404) return "not_found";
  if (status >= 500 || status === 409) return "server";
  return "bad_request";
}

/** The message of a rejected-credentials error: names the provider and the variable to set, never the key. */
export function authMessage(ctx: ErrorContext, status: number, detail: string): string {
  const fix = ctx.keyVariable
    ? `set ${ctx.keyVariable} to a valid API key`
    : `check providers.${ctx.providerId}.api_key`;
  return `provider "${ctx.providerId}" rejected the credentials (HTTP ${status}): ${detail}; ${fix}`;
}

/**
 * Classifies a non-2xx response. `forceAuth` lets a protocol flag credential errors that arrive
 * with another status (Gemini's 400 `API_KEY_INVALID`).
 */
export function httpError(
  ctx: ErrorContext,
  status: number,
  body: string,
  options: { retryAfterMs?: number; forceAuth?: boolean; overloaded?: boolean } = {},
): ProviderError {
  const detail = errorDetail(body, ctx.secrets) || "no error message";
  const kind: ProviderErrorKind = options.forceAuth
    ? "auth"
    : options.overloaded
      ? "overloaded"
      : kindForStatus(status);
  const message =
    kind === "auth"
      ? authMessage(ctx, status, detail)
      : `provider "${ctx.providerId}" answered HTTP ${status} (${kind}): ${detail}`;
  return new ProviderError(message, {
    provider: ctx.providerId,
    kind,
    status,
    retryable: kind === "auth" ? false : isRetryableStatus(status) || kind === "overloaded",
    ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
    ...(kind === "auth" && ctx.keyVariable ? { data: { variable: ctx.keyVariable } } : {}),
  });
}

/** A protocol violation: the stream was cut, malformed or otherwise unusable. Never retried. */
export function protocolError(ctx: ErrorContext, message: string, cause?: unknown): ProviderError {
  return new ProviderError(`provider "${ctx.providerId}": ${redactSecrets(message, ctx.secrets)}`, {
    provider: ctx.providerId,
    kind: "protocol",
    retryable: false,
    cause,
  });
}
