import type { ErrorContext } from "../http/classify.ts";
import { protocolError } from "../http/classify.ts";

/** A plain JSON object as read off the wire, not yet trusted. */
export type JsonObject = { [key: string]: unknown };

/** Parses one SSE payload; malformed JSON is a protocol error naming a short excerpt. */
export function parseJsonObject(ctx: ErrorContext, data: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (err) {
    throw protocolError(ctx, `malformed stream data: ${JSON.stringify(data.slice(0, 80))}`, err);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw protocolError(ctx, `unexpected stream data: ${JSON.stringify(data.slice(0, 80))}`);
  }
  return parsed as JsonObject;
}

/**
 * `value` when it is an object (arrays included), else undefined. Benchmark-driven: decoders read
 * the fields of every streamed chunk as `asObject(x)?.["name"]`, a constant key each JIT inline
 * cache can specialise, where `field(x, name)` is one lookup site for every key (issue 13).
 */
export function asObject(value: unknown): JsonObject | undefined {
  return value && typeof value === "object" ? (value as JsonObject) : undefined;
}

/** `value` when it is a non-negative integer (a count or an index), else undefined: `count` for one key. */
export function countValue(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** `value[key]` when value is an object, else undefined. */
export function field(value: unknown, key: string): unknown {
  return asObject(value)?.[key];
}

/** A non-negative integer field, accepting camelCase or snake_case spelling. */
export function count(value: unknown, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const found = countValue(field(value, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A string field, else undefined. */
export function text(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === "string" ? found : undefined;
}
