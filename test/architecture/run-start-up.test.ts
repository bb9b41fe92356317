import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { EXECUTABLE_SWAPS } from "../../scripts/build.ts";
import { ROOT, staticClosure } from "../support/static-imports.ts";

/**
 * What `agentry run` loads before its first model request (issue 13's cold start): each of these
 * was measured to cost CPU there (docs/benchmarks/turns.md) and is loaded on first use instead.
 */

/** A top-level `const x = z.…(` that is not `z.lazy(`: a zod schema built when the module loads. */
const EAGER_SCHEMA = /^(?:export )?const \w+(?::[^=]+)? = z\s*\.(?!lazy\()/m;

/** What `agentry run` loads before its first request: the CLI, the run command, the file tool. */
const RUN_PATH = ["src/cli/start.ts", "src/cli/commands/run.ts", "src/tools/file/index.ts"];

function eagerSchemas(entry: string): string[] {
  return [...staticClosure(entry).files]
    .filter((file) => EAGER_SCHEMA.test(readFileSync(file, "utf8")))
    .map((file) => file.slice(ROOT.length + 1));
}

/** Modules of the closure that import zod's values (type imports erase at build time). */
function zodImporters(entry: string): string[] {
  return [...staticClosure(entry).files]
    .filter((file) => /^import (?!type\b)[^;]*from "zod";/m.test(readFileSync(file, "utf8")))
    .map((file) => file.slice(ROOT.length + 1));
}

describe("agentry run's start-up", () => {
  test("the run command and the file tool reach zod only through src/lazy-zod (evaluated on first use in the executable)", () => {
    expect(zodImporters("src/cli/commands/run.ts")).toEqual(["src/lazy-zod/index.ts"]);
    expect(zodImporters("src/tools/file/index.ts")).toEqual(["src/lazy-zod/index.ts"]);
  });

  test("nor node:tty (Bun's stream machinery) nor chalk: terminals are asked through src/cli/terminal-fd.ts", () => {
    const packages = new Set([
      ...staticClosure("src/cli/start.ts").packages,
      ...staticClosure("src/cli/commands/run.ts").packages,
    ]);
    expect([...packages].filter((name) => name === "node:tty" || name === "chalk")).toEqual([]);
  });

  test("nor, in the executable (its build's module swaps applied), node:crypto or node:net: both load Bun's JS stream machinery", () => {
    const packages = (swaps: Readonly<Record<string, string>>) =>
      new Set(
        RUN_PATH.flatMap((entry) => [...staticClosure(entry, swaps).packages]).filter((name) =>
          /^node:(crypto|net|stream|tls|http|https|zlib)$/.test(name),
        ),
      );
    expect([...packages(EXECUTABLE_SWAPS)]).toEqual([]);
    // Without the swaps (the library) the digests and the state key import node:crypto: the scan sees it.
    expect([...packages({})]).toEqual(["node:crypto"]);
  });

  test("the scan sees a zod import where there is one", () => {
    expect(zodImporters("src/config/validate-shape.ts")).toContain("src/config/schema.ts");
  });

  test("no module the run command loads builds a zod schema when it loads (they are built on first use)", () => {
    expect(eagerSchemas("src/cli/commands/run.ts")).toEqual([]);
  });

  test("nor does the file tool, which every run with a file tool loads before its first request", () => {
    expect(eagerSchemas("src/tools/file/index.ts")).toEqual([]);
  });

  test("the scan finds an eager schema where there is one (the configuration schema)", () => {
    expect(eagerSchemas("src/config/schema.ts")).toEqual(["src/config/schema.ts"]);
  });

  test("loading a configuration reaches neither the SSRF guard's address tables nor the host parsers", () => {
    const files = [...staticClosure("src/config/loader.ts").files].map((file) => file.slice(ROOT.length + 1));
    expect(files.filter((file) => file.startsWith("src/tools/") || file.startsWith("src/sandbox/"))).toEqual(
      [],
    );
  });
});
