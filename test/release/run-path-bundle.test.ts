import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executableSwaps } from "../../scripts/build.ts";
import { ROOT } from "../support/static-imports.ts";

const dir = mkdtempSync(join(tmpdir(), "run-path-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A static import of the bundler's output (it writes built-in modules without `node:`). */
const STATIC = /^import\s+(?:[^;'"]*?\bfrom\s+)?["']([^"']+)["']/gm;

/**
 * The built-in modules `agentry run` loads before its first request, read from the bundler's
 * output as the executable's build makes it (split chunks, with or without its module swaps):
 * the modules the CLI, the run command and the file tool reach through static imports.
 */
async function runPathBuiltins(plugins: Bun.BunPlugin[]): Promise<string[]> {
  const outdir = join(dir, plugins.length ? "with" : "without");
  const entrypoints = ["src/cli/start.ts", "src/cli/commands/run.ts", "src/tools/file/index.ts"].map(
    (entry) => join(ROOT, entry),
  );
  const result = await Bun.build({
    entrypoints,
    outdir,
    root: ROOT,
    target: "bun",
    format: "esm",
    splitting: true,
    plugins,
  });
  expect(result.success).toBe(true);
  const builtins = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(STATIC)) {
      const specifier = match[1] ?? "";
      if (specifier.startsWith(".")) visit(join(file, "..", specifier));
      else builtins.add(specifier);
    }
  };
  for (const output of result.outputs) if (output.kind === "entry-point") visit(output.path);
  return [...builtins].sort();
}

/** Built-in modules that load Bun's JS stream machinery (≈ 1.5–2 ms of CPU at start-up). */
const STREAMING = /^(?:node:)?(?:crypto|net|tls|dns|stream(?:\/.*)?|http2?|https|zlib|tty|child_process)$/;

test("the executable's run path loads no crypto, net or stream module before its first request", async () => {
  const builtins = await runPathBuiltins([executableSwaps]);
  expect(builtins.filter((name) => STREAMING.test(name))).toEqual([]);
  expect(builtins).toContain("fs");
});

test("without the executable's swaps (the library) the same scan finds node:crypto", async () => {
  expect((await runPathBuiltins([])).filter((name) => STREAMING.test(name))).toEqual(["crypto"]);
});
