import { describe, expect, test } from "bun:test";
import { ROOT, staticClosure } from "../support/static-imports.ts";

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
