/**
 * Builds the embeddable library into `dist/lib/`: `index.js` (the public API, `src/index.ts`),
 * `testing/index.js` (the mock provider, `src/testing/index.ts`) and `queue/index.js` (the BullMQ
 * queue, `src/queue/index.ts`, apart so that `agentry` alone never loads BullMQ) as ESM for Node ≥ 20 and Bun, with
 * dependencies left as imports (`packages: "external"`) and text files inlined; then the `.d.ts`
 * tree under `dist/lib/types/` from `tsconfig.lib.json`, with `.ts` import specifiers rewritten to
 * `.js` so every consumer's module resolution accepts them. `--out DIR` builds elsewhere.
 */

import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { $ } from "bun";

const ROOT = join(import.meta.dir, "..");

/** The entry points, under `src/`; each bundle keeps its path (`testing/index.js`). */
export const LIBRARY_ENTRIES = ["index.ts", "testing/index.ts", "queue/index.ts"] as const;

/** Bundles the library and emits its declarations into `outDir`. Throws with diagnostics on failure. */
export async function buildLibrary(outDir = join(ROOT, "dist/lib")): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const result = await Bun.build({
    entrypoints: LIBRARY_ENTRIES.map((entry) => join(ROOT, "src", entry)),
    root: join(ROOT, "src"),
    outdir: outDir,
    naming: { entry: "[dir]/[name].js", chunk: "chunks/[name]-[hash].js" },
    target: "node",
    format: "esm",
    packages: "external",
    splitting: true,
    sourcemap: "linked",
    minify: false,
  });
  if (!result.success) {
    throw new Error(`library build failed:\n${result.logs.map((log) => String(log)).join("\n")}`);
  }
  const outputs = result.outputs.map((output) => output.path);
  for (const entry of LIBRARY_ENTRIES) {
    const bundle = join(outDir, entry.replace(/\.ts$/, ".js"));
    if (!outputs.includes(bundle)) {
      throw new Error(`library build did not produce ${bundle} (got ${outputs.join(", ")})`);
    }
  }
  const typesDir = join(outDir, "types");
  const tsc =
    await $`${join(ROOT, "node_modules/.bin/tsc")} -p ${join(ROOT, "tsconfig.lib.json")} --outDir ${typesDir}`
      .cwd(ROOT)
      .quiet()
      .nothrow();
  if (tsc.exitCode !== 0) {
    throw new Error(`declaration emit failed:\n${tsc.stdout.toString()}${tsc.stderr.toString()}`);
  }
  rewriteSpecifiers(typesDir);
}

/** `from "./x.ts"` and `import("./x.ts")` in emitted declarations become `./x.js`. */
function rewriteSpecifiers(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    const rewritten = text.replace(/(["'])(\.{1,2}\/[^"']*?)\.ts\1/g, "$1$2.js$1");
    if (rewritten !== text) writeFileSync(path, rewritten);
  }
}

if (import.meta.main) {
  const flag = process.argv.indexOf("--out");
  const outDir = flag > 0 && process.argv[flag + 1] ? process.argv[flag + 1] : undefined;
  const started = performance.now();
  await buildLibrary(outDir);
  console.error(`built library in ${outDir ?? "dist/lib"} (${Math.round(performance.now() - started)} ms)`);
}
