import { globError } from "../glob-syntax.ts";
import { durationValue, sizeValue } from "../units.ts";

/**
 * The building blocks of the precompiled configuration check (`generated-check.ts`). Each
 * `Check` answers for one value what the zod schema it was generated from would answer: the
 * parsed output, or `INVALID` when zod would report an issue. Where the answer could depend on
 * something zod does that these blocks do not copy (an object that is not a plain table, a key
 * present with the value `undefined`, a `__proto__` key in a record), they throw `Unsure` and the
 * caller asks zod instead. None of this is a second source of truth: the schema is
 * (src/config/schema.ts), and `generate.ts` rewrites the check from it.
 */

/** The value does not fit: zod would report an issue for it. */
export const INVALID: unique symbol = Symbol("invalid");

/** A value's output as zod would parse it, or `INVALID`. */
export type Checked = unknown;

/** Checks one value (see the module comment). */
export type Check = (value: unknown) => Checked;

/** A property of a strict object: its check, and whether the key may be absent. */
export interface Field {
  check: Check;
  optional: boolean;
}

/** A table whose parse zod might answer differently from these blocks; the caller falls back to zod. */
export class Unsure extends Error {}

type Table = Record<string, unknown>;

/**
 * True for a plain table (what TOML produces); false for anything zod would not take as an object
 * at all. Throws `Unsure` for other objects (a TOML date, say), which zod's object and record
 * schemas treat differently from each other.
 */
function isTable(value: unknown): value is Table {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new Unsure();
  return true;
}

function checkAll<T>(value: T, predicates: readonly ((value: T) => boolean)[]): boolean {
  for (const predicate of predicates) if (!predicate(value)) return false;
  return true;
}

/** `z.string()` with its checks. */
export function string(...checks: ((value: string) => boolean)[]): Check {
  return (value) => (typeof value === "string" && checkAll(value, checks) ? value : INVALID);
}

/** `z.number()` with its checks: finite, then each check. */
export function number(...checks: ((value: number) => boolean)[]): Check {
  return (value) =>
    typeof value === "number" && Number.isFinite(value) && checkAll(value, checks) ? value : INVALID;
}

/** `z.boolean()`. */
export const boolean: Check = (value) => (typeof value === "boolean" ? value : INVALID);

/** `z.unknown()`. */
export const unknown: Check = (value) => value;

/** `z.enum([...])` and `z.literal(...)`: one of these primitive values. */
export function oneOf(...values: readonly (string | number | boolean)[]): Check {
  return (value) => (values.includes(value as string) ? value : INVALID);
}

/** `.regex(pattern)` of a string (patterns without the `g` or `y` flag). */
export const regex =
  (pattern: RegExp) =>
  (value: string): boolean =>
    pattern.test(value);

/** `.min(n)` of a string or an array. */
export const minLength =
  (minimum: number) =>
  (value: { length: number }): boolean =>
    value.length >= minimum;

/** `.int()`. */
export const safeInt = (value: number): boolean => Number.isSafeInteger(value);

/** `.positive()` (`greaterThan(0, false)`), `.min(n)` / `.nonnegative()` (`greaterThan(n, true)`). */
export const greaterThan =
  (limit: number, inclusive: boolean) =>
  (value: number): boolean =>
    inclusive ? value >= limit : value > limit;

/** `.max(n)` (`lessThan(n, true)`). */
export const lessThan =
  (limit: number, inclusive: boolean) =>
  (value: number): boolean =>
    inclusive ? value <= limit : value < limit;

/** A configured duration (`schema.ts` `duration`): milliseconds. */
export const duration: Check = (value) => durationValue(value) ?? INVALID;

/** A configured size (`schema.ts` `size`): bytes. */
export const size: Check = (value) => sizeValue(value) ?? INVALID;

/** One glob pattern (`schema.ts` `globPattern`). */
export const globPattern: Check = (value) =>
  typeof value === "string" && globError(value) === undefined ? value : INVALID;

const TAB_OR_NEWLINE = /[\t\n\r]/g;

/**
 * `z.string().url()` of zod 4 without options: the trimmed text must parse as a URL, and the
 * output is the trimmed text without tabs and line breaks (what zod returns).
 */
export const url: Check = (value) => {
  if (typeof value !== "string") return INVALID;
  const trimmed = value.trim();
  return URL.canParse(trimmed) ? trimmed.replace(TAB_OR_NEWLINE, "") : INVALID;
};

/** `z.array(element)` with `.min(n)` when given. */
export function array(element: Check, minimum = 0): Check {
  return (value) => {
    if (!Array.isArray(value) || value.length < minimum) return INVALID;
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = element(value[i]);
      if (item === INVALID) return INVALID;
      out[i] = item;
    }
    return out;
  };
}

/** `z.record(key, value)` with a string key schema. */
export function record(key: Check, entry: Check): Check {
  return (value) => {
    if (!isTable(value)) return INVALID;
    const out: Table = {};
    for (const name of Object.keys(value)) {
      if (name === "__proto__") throw new Unsure();
      if (key(name) === INVALID) return INVALID;
      const item = value[name];
      if (item === undefined) throw new Unsure();
      const checked = entry(item);
      if (checked === INVALID) return INVALID;
      out[name] = checked;
    }
    return out;
  };
}

/** A required property. */
export const required = (check: Check): Field => ({ check, optional: false });

/** An `.optional()` property. */
export const optional = (check: Check): Field => ({ check, optional: true });

/** `z.strictObject(shape)`: the output holds the keys present, in the shape's order. */
export function strictObject(shape: Record<string, Field>): Check {
  const keys = Object.keys(shape);
  const known = new Set(keys);
  return (value) => {
    if (!isTable(value)) return INVALID;
    for (const name in value) if (!known.has(name)) return INVALID;
    const out: Table = {};
    for (const name of keys) {
      const item = value[name];
      const field = shape[name] as Field;
      if (item === undefined) {
        if (name in value) throw new Unsure();
        if (field.optional) continue;
        return INVALID;
      }
      const checked = field.check(item);
      if (checked === INVALID) return INVALID;
      out[name] = checked;
    }
    return out;
  };
}

/** `z.union([...])`: the first option that fits. */
export function union(...options: Check[]): Check {
  return (value) => {
    for (const option of options) {
      const checked = option(value);
      if (checked !== INVALID) return checked;
    }
    return INVALID;
  };
}

/** `z.discriminatedUnion(key, [...])`: the option whose `key` literal the value holds. */
export function discriminated(key: string, options: Record<string, Check>): Check {
  return (value) => {
    if (!isTable(value)) return INVALID;
    const tag = value[key];
    const option = typeof tag === "string" && Object.hasOwn(options, tag) ? options[tag] : undefined;
    return option ? option(value) : INVALID;
  };
}

/** `z.lazy(...)`: a check that refers to itself (flow steps). */
export function lazy(get: () => Check): Check {
  return (value) => get()(value);
}
