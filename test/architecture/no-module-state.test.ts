import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const SRC = join(import.meta.dir, "../../src");

/** Every `.ts` module of src/ with its text. */
function sources(): { file: string; text: string }[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { file: relative(SRC, path), text: readFileSync(path, "utf8") };
    });
}

/**
 * Top-level declarations that hold state across runtimes: a `let`/`var`, or a `const` bound to an
 * empty collection or literal that code fills later (a cache, a registry, a pool). Constant lookup
 * tables (`new Set(["a", "b"])`, `{ key: value }`) are not state. Top-level code starts at column 0
 * in this formatted code base.
 */
const MODULE_STATE = [
  /^(export\s+)?(let|var)\s/,
  /^(export\s+)?const\s+\w+(\s*:[^=]+)?\s*=\s*new\s+(Map|Set|WeakMap|WeakSet|Array)\s*(<.*>)?\(\s*\)/,
  /^(export\s+)?const\s+\w+(\s*:[^=]+)?\s*=\s*(\[\s*\]|\{\s*\})\s*;?\s*$/,
];

/** The offending lines of one module's text, as `file:line: text`. */
function moduleState(file: string, text: string): string[] {
  return text
    .split("\n")
    .flatMap((line, i) =>
      MODULE_STATE.some((rule) => rule.test(line)) ? [`${file}:${i + 1}: ${line}`] : [],
    );
}

test("no module in src/ keeps mutable state at module level (a second runtime behaves like the first)", () => {
  expect(sources().flatMap(({ file, text }) => moduleState(file, text))).toEqual([]);
});

test("the module-state check finds caches, pools and counters", () => {
  const found = moduleState(
    "x.ts",
    [
      "let count = 0;",
      "export var flag = false;",
      "const cache = new Map<string, number>();",
      "const pools = new WeakMap<object, Map<string, Promise<unknown>>>();",
      "const owner = {};",
      "const list: string[] = [];",
      'const KEPT = new Set(["a", "b"]);',
      "const TABLE = { a: 1 };",
      "  let local = 0;",
    ].join("\n"),
  );
  expect(found.map((line) => line.slice(line.indexOf(": ") + 2))).toEqual([
    "let count = 0;",
    "export var flag = false;",
    "const cache = new Map<string, number>();",
    "const pools = new WeakMap<object, Map<string, Promise<unknown>>>();",
    "const owner = {};",
    "const list: string[] = [];",
  ]);
});

/** The argument text of every call of `name(` in `text` (parentheses balanced, strings ignored). */
function callArguments(text: string, name: string): string[] {
  const calls: string[] = [];
  for (let at = text.indexOf(`${name}(`); at >= 0; at = text.indexOf(`${name}(`, at + 1)) {
    if (/[\w.]/.test(text[at - 1] ?? "")) continue;
    let depth = 0;
    const start = at + name.length;
    for (let i = start; i < text.length; i++) {
      if (text[i] === "(") depth++;
      else if (text[i] === ")" && --depth === 0) {
        calls.push(text.slice(start + 1, i));
        break;
      }
    }
  }
  return calls;
}

test("every runtime the CLI creates paces GC; the library's default stays off", () => {
  const cli = sources().filter(({ file }) => file.startsWith("cli/"));
  const direct = cli.flatMap(({ file, text }) =>
    callArguments(text, "createRuntime").map((args) => ({ file, args })),
  );
  expect(direct.map(({ file }) => file)).toEqual(["cli/cli-runtime.ts"]);
  expect(direct.every(({ args }) => /collectGarbage:\s*true/.test(args))).toBe(true);
  expect(cli.flatMap(({ text }) => callArguments(text, "createCliRuntime")).length).toBeGreaterThanOrEqual(5);
  const mcp = cli.flatMap(({ file, text }) =>
    callArguments(text, "serveMcp").map((args) => ({ file, args })),
  );
  expect(mcp.length).toBeGreaterThanOrEqual(1);
  expect(mcp.filter(({ args }) => !/collectGarbage:\s*true/.test(args)).map(({ file }) => file)).toEqual([]);
  const library = sources().filter(({ file }) => !file.startsWith("cli/"));
  const forced = library.flatMap(({ file, text }) =>
    [...callArguments(text, "createRuntime"), ...callArguments(text, "serveMcp")]
      .filter((args) => /collectGarbage:\s*true/.test(args))
      .map(() => file),
  );
  expect(forced).toEqual([]);
});

test("only the CLI runtime changes the JIT policy", () => {
  const callers = sources()
    .filter(
      ({ file, text }) =>
        file !== "cli/jit-tier-up.ts" && callArguments(text, "tierUpForConcurrency").length > 0,
    )
    .map(({ file }) => file);
  expect(callers).toEqual(["cli/cli-runtime.ts"]);
});
