import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** A path inside the file tool's root, or why it was refused. */
export type SandboxedPath = { ok: true; path: string; relative: string } | { ok: false; error: string };

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function realpathOfNearest(path: string): string {
  let current = path;
  const missing: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves a model-given path against the root (which must already be a real, absolute path)
 * and refuses anything whose real location is outside it: `..`, absolute paths elsewhere, and
 * symlinks pointing out. Paths that do not exist yet are judged by their nearest existing parent.
 */
export function sandboxPath(realRoot: string, requested: string): SandboxedPath {
  const lexical = isAbsolute(requested) ? resolve(requested) : resolve(realRoot, requested);
  const refusal = `refused: ${JSON.stringify(requested)} is outside the tool's root; use a path relative to the root`;
  if (!inside(realRoot, lexical)) return { ok: false, error: refusal };
  const real = realpathOfNearest(lexical);
  if (!inside(realRoot, real)) {
    return {
      ok: false,
      error: `refused: ${JSON.stringify(requested)} leads outside the tool's root through a symlink`,
    };
  }
  return { ok: true, path: real, relative: relative(realRoot, real) || "." };
}
