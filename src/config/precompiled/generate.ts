import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import * as schemas from "../schema.ts";

/**
 * Writes `generated-check.ts`, the precompiled configuration check, from the zod schema of
 * src/config/schema.ts: one combinator (`combinators.ts`) per schema node, so the check accepts
 * exactly what the schema accepts and outputs what it outputs, without building the ≈ 150 zod
 * objects at start-up. Only the schema kinds and checks the configuration uses are understood;
 * anything else (a new refinement, a default, a transform) stops generation with an error
 * naming the key path, so the combinators must be taught it first.
 *   bun src/config/precompiled/generate.ts
 * test/config/precompiled-check.test.ts fails while the checked-in file is stale.
 */

type Schema = z.core.$ZodType;

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
}

interface Def {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  mode?: string;
  options?: Schema[];
  discriminator?: string;
  inclusive?: boolean;
  getter?: () => Schema;
  entries?: Record<string, string | number>;
  values?: unknown[];
  checks?: Schema[];
  coerce?: boolean;
}

/** The generated file, next to this one. */
export const GENERATED_CHECK_PATH = join(import.meta.dir, "generated-check.ts");

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;
const checkDefOf = (check: Schema): CheckDef => check._zod.def as unknown as CheckDef;

/** Schemas with a hand-written combinator of the same name (their transforms and refinements are code). */
const LEAVES = new Map<Schema, string>([
  [schemas.duration, "duration"],
  [schemas.size, "size"],
  [schemas.globPattern, "globPattern"],
]);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function camel(path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((word, i) => (i === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join("");
}

function literal(value: unknown, at: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return JSON.stringify(value);
  throw new Error(`${at}: literal ${String(value)} is not a string, number or boolean`);
}

function regexLiteral(pattern: RegExp, at: string): string {
  if (pattern.global || pattern.sticky)
    throw new Error(`${at}: regex /${pattern.source}/ is global or sticky`);
  return `/${pattern.source}/${pattern.flags}`;
}

/**
 * One generated expression: literal code and child expressions. A child used in several places
 * (by its text) becomes a named constant; a lazy schema is always one (it refers to itself).
 */
interface Node {
  parts: (string | Node)[];
  text: string;
  schema: Schema;
  at: string;
  lazyName?: string;
}

/** Hoisting a short expression into a constant would not make the module shorter or clearer. */
const HOIST_MIN_LENGTH = 24;

/** Reads the schema into a tree of `Node`s; throws on anything the combinators cannot express. */
function readSchema(exportedNames: Map<Schema, string>): (schema: Schema, at: string) => Node {
  const lazies = new Map<Schema, Node>();
  const node = (schema: Schema, at: string, parts: (string | Node)[]): Node => ({
    parts,
    text: parts.map((part) => (typeof part === "string" ? part : part.text)).join(""),
    schema,
    at,
  });
  const joined = (items: (string | Node)[][], separator: string): (string | Node)[] =>
    items.flatMap((item, i) => (i === 0 ? item : [separator, ...item]));

  const read = (schema: Schema, at: string): Node => {
    const leaf = LEAVES.get(schema);
    if (leaf) return node(schema, at, [leaf]);
    const def = defOf(schema);
    if (def.coerce) throw new Error(`${at}: coercion is not understood`);
    const checksOf = (understood: (check: CheckDef) => string | undefined): string[] =>
      (def.checks ?? []).map((check) => {
        const checkDef = checkDefOf(check);
        const code = understood(checkDef);
        if (code === undefined) throw new Error(`${at}: check "${checkDef.check}" is not understood`);
        return code;
      });
    switch (def.type) {
      case "object": {
        if (defOf(def.catchall ?? schema).type !== "never") throw new Error(`${at}: only strict objects`);
        checksOf(() => undefined);
        const fields = Object.entries(def.shape ?? {}).map(([key, field]): (string | Node)[] => {
          if (key in Object.prototype) throw new Error(`${at}.${key}: a key of Object.prototype`);
          const property = IDENTIFIER.test(key) ? key : JSON.stringify(key);
          const fieldDef = defOf(field);
          return fieldDef.type === "optional" && fieldDef.innerType
            ? [`${property}: optional(`, read(fieldDef.innerType, `${at}.${key}`), ")"]
            : [`${property}: required(`, read(field, `${at}.${key}`), ")"];
        });
        return node(schema, at, ["strictObject({ ", ...joined(fields, ", "), " })"]);
      }
      case "string": {
        const formats = (def.checks ?? []).map((check) => checkDefOf(check));
        const url = formats.find((check) => check.format === "url");
        if (url) {
          const plain = !("normalize" in url || "hostname" in url || "protocol" in url);
          if (formats.length > 1 || !plain) throw new Error(`${at}: only a plain .url() is understood`);
          return node(schema, at, ["url"]);
        }
        const checks = checksOf((check) => {
          if (check.check === "string_format" && check.format === "regex" && check.pattern)
            return `regex(${regexLiteral(check.pattern, at)})`;
          if (check.check === "min_length") return `minLength(${check.minimum})`;
          return undefined;
        });
        return node(schema, at, [`string(${checks.join(", ")})`]);
      }
      case "number": {
        const checks = checksOf((check) => {
          if (check.check === "number_format" && check.format === "safeint") return "safeInt";
          if (check.check === "greater_than") return `greaterThan(${check.value}, ${check.inclusive})`;
          if (check.check === "less_than") return `lessThan(${check.value}, ${check.inclusive})`;
          return undefined;
        });
        return node(schema, at, [`number(${checks.join(", ")})`]);
      }
      case "boolean":
        checksOf(() => undefined);
        return node(schema, at, ["boolean"]);
      case "enum":
        return node(schema, at, [
          `oneOf(${Object.values(def.entries ?? {})
            .map((value) => literal(value, at))
            .join(", ")})`,
        ]);
      case "literal":
        return node(schema, at, [
          `oneOf(${(def.values ?? []).map((value) => literal(value, at)).join(", ")})`,
        ]);
      case "array": {
        const minimum = checksOf((check) =>
          check.check === "min_length" ? String(check.minimum) : undefined,
        );
        if (minimum.length > 1) throw new Error(`${at}: more than one array check`);
        const element = read(def.element as Schema, `${at}.item`);
        return node(schema, at, ["array(", element, minimum.length ? `, ${minimum[0]})` : ")"]);
      }
      case "record": {
        checksOf(() => undefined);
        if (def.mode !== undefined || defOf(def.keyType as Schema).type !== "string")
          throw new Error(`${at}: only records with string keys`);
        const key = read(def.keyType as Schema, `${at}.key`);
        return node(schema, at, ["record(", key, ", ", read(def.valueType as Schema, `${at}.entry`), ")"]);
      }
      case "union": {
        checksOf(() => undefined);
        const options = def.options ?? [];
        if (def.discriminator !== undefined) {
          const key = def.discriminator;
          const cases = options.map((option): (string | Node)[] => {
            const tag = defOf(defOf(option).shape?.[key] as Schema);
            if (tag.type !== "literal" || tag.values?.length !== 1 || typeof tag.values[0] !== "string")
              throw new Error(`${at}: discriminator "${key}" must be one string literal per option`);
            const value = tag.values[0];
            return [`${JSON.stringify(value)}: `, read(option, `${at}.${value}`)];
          });
          return node(schema, at, [
            `discriminated(${JSON.stringify(key)}, { `,
            ...joined(cases, ", "),
            " })",
          ]);
        }
        if (def.inclusive === false) throw new Error(`${at}: exclusive unions are not understood`);
        const read_ = options.map((option, i) => [read(option, `${at}|${i}`)]);
        return node(schema, at, ["union(", ...joined(read_, ", "), ")"]);
      }
      case "lazy": {
        const existing = lazies.get(schema);
        if (existing) return existing;
        const name = exportedNames.get(schema)?.replace(/Schema$/, "") ?? camel(at);
        const reference: Node = { parts: [name], text: name, schema, at, lazyName: name };
        lazies.set(schema, reference);
        reference.parts = ["lazy(() => ", read((def.getter as () => Schema)(), at), ")"];
        return reference;
      }
      default:
        throw new Error(`${at}: schema type "${def.type}" is not understood`);
    }
  };
  return read;
}

/** Generates the module text (before formatting). */
function generateSource(): string {
  const exportedNames = new Map<Schema, string>();
  for (const [name, value] of Object.entries(schemas)) {
    if (value && typeof value === "object" && "_zod" in value) exportedNames.set(value as Schema, name);
  }
  const read = readSchema(exportedNames);
  const roots = [read(schemas.configSchema, "config"), read(schemas.includedFileSchema, "included")];

  const uses = new Map<string, number>();
  const count = (node: Node): void => {
    uses.set(node.text, (uses.get(node.text) ?? 0) + 1);
    if ((uses.get(node.text) ?? 0) > 1) return;
    for (const part of node.parts) if (typeof part !== "string") count(part);
  };
  for (const root of roots) count(root);

  const definitions: string[] = [];
  const names = new Map<string, string>();
  const taken = new Set<string>();
  const render = (node: Node): string =>
    node.parts.map((part) => (typeof part === "string" ? part : emit(part))).join("");
  const emit = (node: Node): string => {
    const existing = names.get(node.text);
    if (existing) return existing;
    const hoist =
      node.lazyName !== undefined || ((uses.get(node.text) ?? 0) > 1 && node.text.length >= HOIST_MIN_LENGTH);
    if (!hoist) return render(node);
    let name = node.lazyName ?? (exportedNames.get(node.schema) ?? camel(node.at)).replace(/Schema$/, "");
    while (taken.has(name)) name += "_";
    taken.add(name);
    names.set(node.text, name);
    definitions.push(`const ${name}: Check = ${render(node)};`);
    return name;
  };
  const [config, included] = roots.map((root) => render(root)) as [string, string];
  const body = [...definitions, config, included].join("\n");
  const used = COMBINATORS.filter((name) => new RegExp(`(?<![\\w.$"])${name}(?![\\w$"]|: )`).test(body));
  const includedKeys = Object.keys(schemas.includedFileSchema.shape);
  return `// Generated by src/config/precompiled/generate.ts from src/config/schema.ts: do not edit.
// \`bun src/config/precompiled/generate.ts\` rewrites it; test/config/precompiled-check.test.ts fails when it is stale.
import { type Check, ${used.join(", ")} } from "./combinators.ts";

${definitions.join("\n\n")}

/** \`configSchema\` of a main configuration file. */
export const checkMainFile: Check = ${config};

/** \`includedFileSchema\` of an included file. */
export const checkIncludedFile: Check = ${included};

/** The top-level keys an included file may hold. */
export const INCLUDED_FILE_KEYS: readonly string[] = ${JSON.stringify(includedKeys)};
`;
}

/** Every combinator the generated module may import, in biome's import order. */
const COMBINATORS = [
  "array",
  "boolean",
  "discriminated",
  "duration",
  "globPattern",
  "greaterThan",
  "lazy",
  "lessThan",
  "minLength",
  "number",
  "oneOf",
  "optional",
  "record",
  "regex",
  "required",
  "safeInt",
  "size",
  "strictObject",
  "string",
  "union",
  "url",
];

/** The generated module as checked in: the source as `biome check --write` leaves it. */
export function generateConfigCheck(): string {
  const biome = join(import.meta.dir, "../../../node_modules/.bin/biome");
  const result = Bun.spawnSync([biome, "check", "--write", `--stdin-file-path=${GENERATED_CHECK_PATH}`], {
    stdin: new TextEncoder().encode(generateSource()),
  });
  if (result.exitCode !== 0) throw new Error(`biome format failed: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

if (import.meta.main) {
  const text = generateConfigCheck();
  const before = (() => {
    try {
      return readFileSync(GENERATED_CHECK_PATH, "utf8");
    } catch {
      return "";
    }
  })();
  if (text !== before) writeFileSync(GENERATED_CHECK_PATH, text);
  console.error(`${text === before ? "unchanged" : "wrote"} ${GENERATED_CHECK_PATH}`);
}
