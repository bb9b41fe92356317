import { z } from "zod";
import { oneOf } from "./describe-value.ts";
import { isTable, type KeyPath } from "./key-path.ts";

/**
 * Reads the zod schema back, so issues can say what was expected at a key path and which keys
 * exist there (for "did you mean"). Only the schema kinds the configuration uses are understood.
 */

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  valueType?: Schema;
  element?: Schema;
  options?: Schema[];
  discriminator?: string;
  getter?: () => Schema;
  entries?: Record<string, string>;
  values?: unknown[];
}

function defOf(schema: Schema): Def {
  return schema._zod.def as unknown as Def;
}

function descriptionOf(schema: Schema): string | undefined {
  return z.globalRegistry.get(schema)?.description;
}

const WRAPPERS = new Set(["optional", "default", "nullable", "readonly", "lazy", "pipe", "prefault"]);

function inner(schema: Schema): Schema | undefined {
  const def = defOf(schema);
  if (def.type === "lazy") return def.getter?.();
  if (def.type === "pipe") return def.in;
  return def.innerType;
}

/** The schema with optional/default/lazy/pipe wrappers removed, plus the first description met. */
function unwrap(schema: Schema): { schema: Schema; description: string | undefined } {
  let current = schema;
  let description = descriptionOf(current);
  while (WRAPPERS.has(defOf(current).type)) {
    const next = inner(current);
    if (!next) break;
    current = next;
    description ??= descriptionOf(current);
  }
  return { schema: current, description };
}

function matchesOption(option: Schema, value: unknown, segment: string | number | undefined): boolean {
  const def = defOf(unwrap(option).schema);
  if (def.type === "object")
    return isTable(value) && (segment === undefined || String(segment) in (def.shape ?? {}));
  if (def.type === "record") return isTable(value);
  if (def.type === "array") return Array.isArray(value);
  return false;
}

function pickOption(def: Def, value: unknown, segment: string | number | undefined): Schema | undefined {
  const options = def.options ?? [];
  if (def.discriminator && isTable(value)) {
    const tag = value[def.discriminator];
    return options.find((option) => {
      const shape = defOf(unwrap(option).schema).shape ?? {};
      const tagSchema = shape[def.discriminator as string];
      return tagSchema !== undefined && (defOf(tagSchema).values ?? []).includes(tag);
    });
  }
  return options.find((option) => matchesOption(option, value, segment));
}

/** The schema that validates the value at `path` of `root`, or undefined when there is none. */
export function schemaAt(root: Schema, path: KeyPath, rawRoot: unknown): Schema | undefined {
  let schema: Schema | undefined = root;
  let value: unknown = rawRoot;
  for (const segment of path) {
    if (!schema) return undefined;
    let def = defOf(unwrap(schema).schema);
    if (def.type === "union") {
      const option = pickOption(def, value, segment);
      if (!option) return undefined;
      def = defOf(unwrap(option).schema);
    }
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return undefined;
    value =
      isTable(value) || Array.isArray(value)
        ? (value as Record<string | number, unknown>)[segment]
        : undefined;
  }
  return schema;
}

/** The keys a table may hold at `path` (all options' keys for a union of tables). */
export function allowedKeysAt(root: Schema, path: KeyPath, rawRoot: unknown): string[] {
  const schema = schemaAt(root, path, rawRoot);
  if (!schema) return [];
  const def = defOf(unwrap(schema).schema);
  if (def.type === "object") return Object.keys(def.shape ?? {});
  if (def.type === "union") {
    const value = path.reduce<unknown>(
      (v, s) => (isTable(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[s] : undefined),
      rawRoot,
    );
    const picked = def.discriminator ? pickOption(def, value, undefined) : undefined;
    const options = picked ? [picked] : (def.options ?? []);
    return [...new Set(options.flatMap((option) => Object.keys(defOf(unwrap(option).schema).shape ?? {})))];
  }
  return [];
}

function describeNumber(schema: Schema): string {
  const number = schema as unknown as { isInt?: boolean; minValue?: number | null; maxValue?: number | null };
  const noun = number.isInt ? "an integer" : "a number";
  if (number.minValue === 0) return number.isInt ? "a non-negative integer" : "a non-negative number";
  return noun;
}

/** What the schema at a path accepts, in words: `a positive integer`, `one of "a", "b"`, `a table`. */
export function describeExpected(schema: Schema | undefined): string {
  if (!schema) return "nothing (this key is not allowed here)";
  const { schema: bare, description } = unwrap(schema);
  if (description) return description;
  const def = defOf(bare);
  switch (def.type) {
    case "string":
      return "a string";
    case "number":
      return describeNumber(bare);
    case "boolean":
      return "true or false";
    case "enum":
      return oneOf(Object.values(def.entries ?? {}));
    case "literal":
      return oneOf(def.values ?? []);
    case "array": {
      const element = def.element ? unwrap(def.element) : undefined;
      return element && defOf(element.schema).type === "string" && !element.description
        ? "an array of strings"
        : "an array";
    }
    case "object":
    case "record":
      return "a table";
    case "union":
      return (def.options ?? []).map((option) => describeExpected(option)).join(" or ");
    default:
      return "a valid value";
  }
}
