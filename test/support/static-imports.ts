import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The repository root. */
export const ROOT = join(import.meta.dir, "../..");
/** Value imports and re-exports (`import type` / `export type` erase at build time and are skipped). */
const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\bfrom\s+)?["']([^"']+)["']/gm;

/**
 * Every module reachable from `entry` (relative to the root) through static value imports, and
 * the packages they import: what loads when `entry` loads. Dynamic `import()` is not followed.
 * `swaps` (root-relative paths, as scripts/build.ts's `EXECUTABLE_SWAPS`) replaces modules the
 * way a build does.
 */
export function staticClosure(
  entry: string,
  swaps: Readonly<Record<string, string>> = {},
): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    const swap = swaps[path.slice(ROOT.length + 1)];
    const file = swap ? join(ROOT, swap) : path;
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
