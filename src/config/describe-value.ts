import { isTable, type KeyPath } from "./key-path.ts";

const SECRET_KEY =
  /(^|_|-)(api_?key|token|password|passwd|secret|credentials?)$|^(authorization|cookie|x-api-key)$/i;
const SECRET_MAPS = new Set(["headers", "set_env"]);

/**
 * Whether the value at `path` may hold a secret: credentials by key name, every value of
 * `headers` and `set_env` tables, and `[queue] url` (it carries the Redis password). Such values
 * are never shown in messages.
 */
export function isSecretPath(path: KeyPath): boolean {
  if (path[0] === "queue" && path[1] === "url") return true;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment !== "string") continue;
    if (SECRET_KEY.test(segment)) return true;
    if (SECRET_MAPS.has(segment) && i < path.length - 1) return true;
  }
  return false;
}

/** A short noun phrase for the kind of a parsed TOML value: `a string`, `a table`, … */
export function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return "a string";
  if (typeof value === "number" || typeof value === "bigint") return "a number";
  if (typeof value === "boolean") return "a boolean";
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (isTable(value)) return "a table";
  return "a value";
}

const MAX_SHOWN = 60;

/**
 * How a found value is shown in an issue. Secret paths show only the kind (`a string (value
 * hidden)`); `withKind` appends the kind to scalars (`"20" (a string)`) for type mismatches.
 */
export function describeFound(value: unknown, path: KeyPath, withKind = false): string {
  if (value === undefined) return "nothing";
  if (isSecretPath(path)) return `${kindOf(value)} (value hidden)`;
  if (typeof value === "string") {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return withKind ? `${JSON.stringify(shown)} (a string)` : JSON.stringify(shown);
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return withKind ? `${String(value)} (${kindOf(value)})` : String(value);
  }
  if (Array.isArray(value) && value.length > 0)
    return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  return kindOf(value);
}

/** `one of "a", "b", "c"` (or just `"a"` for a single choice). */
export function oneOf(values: readonly unknown[]): string {
  const shown = values.map((value) => JSON.stringify(value));
  return shown.length === 1 ? (shown[0] as string) : `one of ${shown.join(", ")}`;
}
