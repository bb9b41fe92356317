import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = join(import.meta.dir, "../..");
/** Value imports and re-exports (`import type` / `export type` erase at build time and are skipped). */
const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\bfrom\s+)?["']([^"']+)["']/gm;

/** Every module reachable from `entry` through static value imports, and the packages they import. */
function staticClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(STATIC)) {
      const specifier = match[1] ?? "";
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(join(ROOT, entry));
  return { files, packages };
}

describe("MCP is imported lazily", () => {
  for (const entry of [
    "src/cli/commands/run.ts",
    "src/cli/commands/batch.ts",
    "src/index.ts",
    "src/runtime/runtime.ts",
  ]) {
    test(`${entry} reaches neither the MCP SDK nor agentry's MCP client by static imports`, () => {
      const { files, packages } = staticClosure(entry);
      expect(files.size).toBeGreaterThan(5);
      expect([...packages].filter((name) => name.startsWith("@modelcontextprotocol"))).toEqual([]);
      const mcpModules = [...files]
        .filter((file) => file.includes("/src/mcp/"))
        .map((file) => file.slice(ROOT.length + 1));
      expect(mcpModules.sort()).toEqual(["src/mcp/entries.ts"]);
    });
  }

  test("the scan sees the SDK where it is imported statically (the pool, loaded on first use)", () => {
    const { packages } = staticClosure("src/mcp/server-pool.ts");
    expect(packages.has("@modelcontextprotocol/client")).toBe(true);
  });
});
