import { lstat, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";

/**
 * Where a model-given path lies under the file tool's root, before anything is opened: the real
 * path of its nearest existing ancestor (symlinks resolved) and the components below it that do
 * not exist yet. Opening then happens from that ancestor with no-follow semantics (open-in-root.ts).
 */
export type RootPath =
  | {
      ok: true;
      /** Real path of the target, or of its nearest existing ancestor when `missing` is not empty. */
      existing: string;
      /** Components below `existing` that do not exist (for a write, the ones to create). */
      missing: string[];
      /** Path relative to the root, for messages. */
      relative: string;
    }
  | { ok: false; error: string };

/** Whether `candidate` is `root` or lies below it (both absolute and normalised). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Resolves a model-given path against the root (a real, absolute path) and refuses `..`,
 * absolute paths elsewhere and symlinks whose target lies outside. A dangling symlink is never
 * treated as a missing file: it is refused, so a write cannot create its target.
 */
export async function resolveInRoot(root: string, requested: string): Promise<RootPath> {
  const lexical = isAbsolute(requested) ? resolve(requested) : resolve(root, requested);
  if (!isInside(root, lexical)) {
    return {
      ok: false,
      error: `refused: ${JSON.stringify(requested)} is outside the tool's root; use a path relative to the root`,
    };
  }
  const missing: string[] = [];
  let current = lexical;
  for (;;) {
    const real = await realpath(current).catch(() => undefined);
    if (real !== undefined) {
      if (!isInside(root, real)) {
        return {
          ok: false,
          error: `refused: ${JSON.stringify(requested)} leads outside the tool's root through a symlink`,
        };
      }
      const target = resolve(real, ...missing);
      return { ok: true, existing: real, missing, relative: relative(root, target) || "." };
    }
    const link = await lstat(current).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      return {
        ok: false,
        error: `refused: ${JSON.stringify(requested)} goes through a symlink whose target does not exist`,
      };
    }
    const parent = dirname(current);
    if (parent === current)
      return { ok: false, error: `refused: cannot resolve ${JSON.stringify(requested)}` };
    missing.unshift(basename(current));
    current = parent;
  }
}
