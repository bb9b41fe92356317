import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildLibrary } from "../../scripts/build-lib.ts";

/** The repository root. */
export const ROOT = join(import.meta.dir, "../..");
/** Where `npm run build:lib` puts the library. */
export const LIB_DIR = join(ROOT, "dist/lib");

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/lib` when it is missing or older than any source it is built from, so tests that
 * run the built library on Node see the current code. Builds into a side directory and swaps it
 * in, so a concurrent reader never sees a half-written library.
 */
export async function ensureLibraryBuilt(): Promise<void> {
  const marker = join(LIB_DIR, "types/index.d.ts");
  const inputs = ["src", "scripts/build-lib.ts", "tsconfig.lib.json", "package.json"].map((p) =>
    join(ROOT, p),
  );
  if (existsSync(marker) && existsSync(join(LIB_DIR, "index.js"))) {
    const built = Math.min(statSync(marker).mtimeMs, statSync(join(LIB_DIR, "index.js")).mtimeMs);
    if (Math.max(...inputs.map(newestMtime)) <= built) return;
  }
  const side = `${LIB_DIR}.build-${process.pid}`;
  const old = `${LIB_DIR}.old-${process.pid}`;
  await buildLibrary(side);
  if (existsSync(LIB_DIR)) renameSync(LIB_DIR, old);
  renameSync(side, LIB_DIR);
  rmSync(old, { recursive: true, force: true });
}
