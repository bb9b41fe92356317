import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executableSwaps } from "../../scripts/build.ts";
import { ROOT } from "../support/static-imports.ts";

const dir = mkdtempSync(join(tmpdir(), "zod-on-first-use-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles a module that uses `src/lazy-zod` as the executable's build does (with and without the plugin). */
async function bundle(plugins: Bun.BunPlugin[]): Promise<string> {
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    `import { lazySchema } from ${JSON.stringify(join(ROOT, "src/lazy-zod/lazy-schema.ts"))};\nexport const schema = lazySchema((z) => z.string());\n`,
  );
  const outdir = join(dir, plugins.length ? "with" : "without");
  const result = await Bun.build({ entrypoints: [entry], outdir, target: "bun", format: "esm", plugins });
  expect(result.success).toBe(true);
  return readFileSync(join(outdir, "entry.js"), "utf8");
}

test("the executable's build puts on-first-use.ts in place of src/lazy-zod/index.ts: zod is required when first used", async () => {
  const built = await bundle([executableSwaps]);
  const has = (text: string) => built.includes(text);
  // zod's own modules are wrapped to initialise on that first require, not when the bundle loads.
  expect({
    onFirstUse: has("// src/lazy-zod/on-first-use.ts"),
    index: has("// src/lazy-zod/index.ts"),
    lazyInit: /__esm\(/.test(built),
    // the ES module every `import … from "zod"` of the executable gets, not a CommonJS second copy
    commonJsCopy: has("zod/index.cjs"),
  }).toEqual({ onFirstUse: true, index: false, lazyInit: true, commonJsCopy: false });
});

test("without the plugin (the library, bun test) src/lazy-zod imports zod as usual", async () => {
  const built = await bundle([]);
  const has = (text: string) => built.includes(text);
  expect({
    onFirstUse: has("// src/lazy-zod/on-first-use.ts"),
    index: has("// src/lazy-zod/index.ts"),
  }).toEqual({ onFirstUse: false, index: true });
});
