/** Backoff of the first retry before jitter, doubled for each further one. */
export const BASE_DELAY_MS = 500;
/** No computed backoff exceeds this. */
export const MAX_BACKOFF_MS = 30_000;
/** A server-requested wait (Retry-After, RetryInfo) longer than this is cut down to it. */
export const MAX_SERVER_DELAY_MS = 60_000;

type HeaderValue = string | string[] | undefined;

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Milliseconds the server asked us to wait, from `retry-after-ms`, or `Retry-After` as seconds
 * or as an HTTP date (compared with `nowMs`). Undefined when absent or unparseable.
 */
export function parseRetryAfter(headers: Record<string, HeaderValue>, nowMs: number): number | undefined {
  const ms = first(headers["retry-after-ms"]);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = first(headers["retry-after"])?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Parses a protobuf duration such as Gemini's `RetryInfo.retryDelay` (`"17s"`, `"0.5s"`). */
export function parseProtoDuration(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's wish when it gave one
 * (capped at MAX_SERVER_DELAY_MS), else exponential backoff with full jitter.
 */
export function retryDelay(attempt: number, serverDelayMs: number | undefined, random: () => number): number {
  if (serverDelayMs !== undefined) return Math.min(serverDelayMs, MAX_SERVER_DELAY_MS);
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
