/**
 * Parsing of the human units used in configuration: durations (`250ms`, `60s`, `10m`, `1h30m`)
 * and sizes (`512`, `64KiB`, `10MB`). Both return undefined for malformed input so the schema can
 * report a precise issue instead of throwing.
 */

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for a configured duration (a string such as `"10m"`), or undefined for anything else. */
export function durationValue(value: unknown): number | undefined {
  return typeof value === "string" ? parseDuration(value) : undefined;
}

/** Bytes for a configured size (a non-negative integer, or a string such as `"64KiB"`), or undefined. */
export function sizeValue(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  return typeof value === "string" ? parseSize(value) : undefined;
}

/** Milliseconds for a duration string like `1h30m`, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = DURATION_PART.exec(trimmed); match; match = DURATION_PART.exec(trimmed)) {
    total += Number(match[1]) * (DURATION_MS[match[2] as string] as number);
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === trimmed.length ? total : undefined;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;
const SIZE_BYTES: Record<string, number> = {
  B: 1,
  KB: 1000,
  KiB: 1024,
  MB: 1_000_000,
  MiB: 1024 ** 2,
  GB: 1_000_000_000,
  GiB: 1024 ** 3,
};

/** Bytes for a size string like `64KiB`, or undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * (SIZE_BYTES[match[2] ?? "B"] as number));
}
