import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import type { z } from "zod";
import { GENERATED_CHECK_PATH, generateConfigCheck } from "../../src/config/precompiled/generate.ts";
import { precheckedConfig } from "../../src/config/precompiled/index.ts";
import { configSchema, includedFileSchema } from "../../src/config/schema.ts";
import { planZeroConfig, zeroConfigToml } from "../../src/config/zero-config/zero-config-toml.ts";
import { seededRandom as random } from "../support/seeded-random.ts";
import { ROOT, staticClosure } from "../support/static-imports.ts";

/**
 * The precompiled configuration check (src/config/precompiled) against zod, the schema it is
 * generated from: on every input, either it declines (zod then decides, as before) or zod
 * accepts the input and returns the very same value, key order included.
 */

type Raw = Record<string, unknown>;
type Schema = z.core.$ZodType;

interface Tally {
  accepted: number;
  declined: number;
  zodValid: number;
  mismatches: string[];
  /** Valid inputs the check declined without holding anything zod treats specially. */
  unexplained: string[];
}

function compare(raw: Raw, main: boolean, tally: Tally, label: string): void {
  const schema = (main ? configSchema : includedFileSchema) as Schema as z.ZodType;
  const zod = schema.safeParse(raw, { jitless: true });
  if (zod.success) tally.zodValid++;
  const fast = precheckedConfig(raw, main);
  if (fast === undefined) {
    tally.declined++;
    if (zod.success && !holdsSpecial(raw) && tally.unexplained.length < 5)
      tally.unexplained.push(`${label}: ${show(raw)}`);
    return;
  }
  tally.accepted++;
  const problem = !zod.success
    ? "accepted what zod rejects"
    : !Bun.deepEquals(fast, zod.data, true)
      ? "returned another value than zod"
      : JSON.stringify(fast) !== JSON.stringify(zod.data)
        ? "returned another key order than zod"
        : !plainThroughout(fast)
          ? "returned an object with another prototype"
          : undefined;
  if (problem && tally.mismatches.length < 5) {
    tally.mismatches.push(`${label} (${main ? "main" : "included"}): ${problem}: ${show(raw)}`);
  }
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    typeof item === "bigint" ? `${item}n` : item === undefined ? "<undefined>" : item,
  );
}

const newTally = (): Tally => ({ accepted: 0, declined: 0, zodValid: 0, mismatches: [], unexplained: [] });

/** Only plain tables and arrays, as zod builds them. */
function plainThroughout(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype) return false;
  return Object.values(value).every(plainThroughout);
}

/** A value the check leaves to zod on purpose: `undefined`, an own `__proto__` key, an object that is not a plain table. */
function holdsSpecial(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(holdsSpecial);
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return true;
  if (Object.hasOwn(value, "__proto__")) return true;
  return Object.values(value).some(holdsSpecial);
}

function tomlFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === ".git" || name === "dist" || name === "results") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...tomlFiles(path));
    else if (name.endsWith(".toml")) found.push(path);
  }
  return found;
}

/** Every configuration of the repository: files, the starter config, zero-config mode's. */
function repositoryConfigs(): { label: string; raw: Raw }[] {
  const configs: { label: string; raw: Raw }[] = [];
  const add = (label: string, text: string) => {
    try {
      configs.push({ label, raw: parse(text) as Raw });
    } catch {
      // a fixture of a TOML syntax error
    }
  };
  for (const path of tomlFiles(ROOT)) {
    if (path.endsWith("bunfig.toml")) continue;
    add(path.slice(ROOT.length + 1), readFileSync(path, "utf8"));
  }
  add("starter-config.txt", readFileSync(join(ROOT, "src/config/starter-config.txt"), "utf8"));
  const envs = [
    { OPENAI_API_KEY: "k" },
    { ANTHROPIC_API_KEY: "k", GEMINI_API_KEY: "k", AGENTRY_MODEL: "anthropic/claude" },
    { OLLAMA_HOST: "localhost:11434", AGENTRY_MODEL: "ollama/llama3" },
  ];
  for (const [i, env] of envs.entries()) {
    for (const tools of [[], ["file"], ["file", "shell"]] as const) {
      add(`zero-config ${i} ${tools.join(",")}`, zeroConfigToml(planZeroConfig({ env, tools })));
    }
  }
  return configs;
}

const odd = (text: string): Raw => JSON.parse(text) as Raw;

/** Values that sit on an edge of some check, or of the type system. */
const EDGE_VALUES: unknown[] = [
  "",
  " ",
  "a",
  "openai/gpt-4.1-mini",
  "/model",
  "a b/c",
  "10m",
  "1h30m",
  " 250ms ",
  "1.5s",
  "10",
  "10x",
  "64KiB",
  "1.5 KiB",
  "10 MB",
  "-1KiB",
  "*.txt",
  "[a-z]*",
  "[",
  "{a,b}",
  "}",
  "a\\",
  "https://collector:4318/v1/traces",
  "  http://example.com/\tpath\n ",
  "not a url",
  "x".repeat(65),
  "name.with.dots",
  "ok_name-1",
  0,
  -0,
  1,
  2,
  10,
  11,
  20,
  21,
  -1,
  0.5,
  1.5,
  2 ** 53,
  Number.MAX_VALUE,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  10n,
  true,
  false,
  [],
  [""],
  ["a"],
  [1],
  ["10m", 5],
  {},
  { a: "b" },
  { kind: "file", root: "/tmp" },
  { sequence: ["a"] },
  { sequence: [] },
  { sequence: ["a"], parallel: ["b"] },
  new Date(0),
  odd('{"__proto__": "x"}'),
  odd('{"__proto__": {}, "a": {}}'),
  odd('{"a": {"__proto__": {}}}'),
  Object.create(null),
  null,
  undefined,
];

type Path = (string | number)[];

/** Every path to a value inside `raw`. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const found: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) found.push(...paths(item, [...prefix, i]));
  } else if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  return found;
}

/** A deep copy of `raw` with the value at `path` replaced (or deleted when `replacement` is DELETE). */
function mutate(raw: Raw, path: Path, replacement: unknown): Raw {
  const copy = structuredClone(raw);
  if (path.length === 0) return copy;
  let parent: unknown = copy;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[segment];
  const last = path[path.length - 1] as string | number;
  const table = parent as Record<string | number, unknown>;
  if (replacement === DELETE) {
    if (Array.isArray(table)) table.splice(last as number, 1);
    else delete table[last];
  } else table[last] = replacement;
  return copy;
}

const DELETE = Symbol("delete");

/** Random configurations read off the schema itself, each node now and then replaced by an edge value. */
function generator(next: () => number): (schema: Schema, depth?: number) => unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const strings = EDGE_VALUES.filter((value) => typeof value === "string") as string[];
  const numbers = EDGE_VALUES.filter((value) => typeof value === "number") as number[];
  const units = [
    "10m",
    "1h30m",
    " 500ms",
    "",
    "10",
    10,
    "64KiB",
    65536,
    -1,
    1.5,
    "10 MB",
    "1.5KiB",
    true,
    "2d",
  ];
  const keys = [
    "a",
    "main",
    "x-y",
    "ops_1",
    "with space",
    "1",
    "dots.in.name",
    "x".repeat(65),
    "constructor",
    "toString",
    "ｏｐｓ",
  ];
  const value = (schema: Schema, depth = 0): unknown => {
    if (next() < 0.04) return pick(EDGE_VALUES);
    const def = schema._zod.def as unknown as {
      type: string;
      shape?: Record<string, Schema>;
      innerType?: Schema;
      element?: Schema;
      valueType?: Schema;
      keyType?: Schema;
      options?: Schema[];
      getter?: () => Schema;
      entries?: Record<string, string>;
      values?: unknown[];
      checks?: { _zod: { def: { pattern?: RegExp } } }[];
    };
    switch (def.type) {
      case "object": {
        const out: Raw = {};
        for (const [key, field] of Object.entries(def.shape ?? {})) {
          const optional = (field._zod.def as { type: string }).type === "optional";
          if (next() < (optional ? 0.35 : 0.97)) out[key] = value(field, depth + 1);
        }
        if (next() < 0.03) out[pick(["extra", "kind", "tools"])] = pick(EDGE_VALUES);
        return out;
      }
      case "optional":
        return value(def.innerType as Schema, depth);
      case "string": {
        const patterns = (def.checks ?? [])
          .map((check) => check._zod.def.pattern)
          .filter(Boolean) as RegExp[];
        if (patterns.length > 0 && next() < 0.7) {
          const fitting = strings.filter((text) => patterns.every((pattern) => pattern.test(text)));
          return fitting.length > 0 ? pick(fitting) : "a";
        }
        return pick(strings);
      }
      case "number":
        return pick(numbers);
      case "boolean":
        return next() < 0.5;
      case "enum":
        return next() < 0.9 ? pick(Object.values(def.entries ?? {})) : "bogus";
      case "literal":
        return next() < 0.95 ? def.values?.[0] : "bogus";
      case "array": {
        const length = depth > 6 ? 0 : Math.floor(next() * 3);
        return Array.from({ length }, () => value(def.element as Schema, depth + 1));
      }
      case "record": {
        const out: Raw = {};
        const count = depth > 6 ? 0 : Math.floor(next() * 3);
        for (let i = 0; i < count; i++) out[pick(keys)] = value(def.valueType as Schema, depth + 1);
        return out;
      }
      case "union":
        return value(pick(def.options ?? []), depth + 1);
      case "lazy":
        return depth > 8 ? "leaf" : value((def.getter as () => Schema)(), depth + 1);
      case "pipe":
      case "unknown":
        return pick(units);
      default:
        throw new Error(`the generator does not know schema type ${def.type}`);
    }
  };
  return value;
}

describe("the precompiled configuration check", () => {
  test("is what generate.ts makes of src/config/schema.ts (run `bun src/config/precompiled/generate.ts`)", () => {
    expect(readFileSync(GENERATED_CHECK_PATH, "utf8")).toBe(generateConfigCheck());
  });

  test("loading a configuration reaches no zod by static imports (zod loads only for a file it declines)", () => {
    const { packages, files } = staticClosure("src/config/loader.ts");
    expect([...packages].filter((name) => name === "zod")).toEqual([]);
    expect([...files].some((file) => file.endsWith("src/config/schema.ts"))).toBe(false);
  });

  const repository = repositoryConfigs();

  test("accepts every valid configuration of the repository exactly as zod parses it", () => {
    expect(repository.length).toBeGreaterThan(40);
    const tally = newTally();
    for (const { label, raw } of repository) {
      compare(raw, true, tally, label);
      compare(raw, false, tally, label);
    }
    expect(tally.mismatches).toEqual([]);
    // Valid as main files: the check must vouch for each (none left to zod).
    const valid = repository.filter(({ raw }) => configSchema.safeParse(raw).success);
    expect(valid.length).toBeGreaterThan(20);
    const declined = valid.filter(({ raw }) => precheckedConfig(raw, true) === undefined).map((c) => c.label);
    expect(declined).toEqual([]);
  });

  test("agrees with zod on edge values at every key of every repository configuration, and without each key", () => {
    const tally = newTally();
    const next = random(7);
    for (const { label, raw } of repository) {
      if (!configSchema.safeParse(raw).success) continue;
      for (const path of paths(raw)) {
        // Each path gets a seeded sample of the edge values; over the repository every value meets every kind of key.
        const sample = EDGE_VALUES.filter(() => next() < 0.15);
        for (const replacement of [DELETE, ...sample]) {
          const variant = mutate(raw, path, replacement);
          compare(variant, true, tally, `${label} at ${path.join(".")}`);
          if (path.length > 0 && !["defaults", "audit", "state"].includes(String(path[0])))
            compare(variant, false, tally, `${label} at ${path.join(".")}`);
        }
      }
    }
    expect(tally.mismatches).toEqual([]);
    expect(tally.unexplained).toEqual([]);
    expect(tally.zodValid).toBeGreaterThan(1000);
    expect(tally.accepted).toBeGreaterThan(1000);
  });

  test("agrees with zod on 6 000 configurations generated from the schema", () => {
    const tally = newTally();
    const next = random(13);
    const value = generator(next);
    for (let i = 0; i < 3000; i++) {
      compare(value(configSchema as Schema) as Raw, true, tally, `generated #${i}`);
      compare(value(includedFileSchema as Schema) as Raw, false, tally, `generated included #${i}`);
    }
    expect(tally.mismatches).toEqual([]);
    expect(tally.unexplained).toEqual([]);
    // Both outcomes are well represented, so neither side is checked only vacuously.
    expect(tally.accepted).toBeGreaterThan(300);
    expect(tally.declined).toBeGreaterThan(300);
  });
});
