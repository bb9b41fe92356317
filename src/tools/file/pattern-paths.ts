import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { isInside } from "./root-path.ts";

/**
 * The spellings approval patterns judge a file call's path by, as the tool will resolve it: the
 * path relative to the root after `..` and symlinks (`docs/../.env` and a link to `.env` are
 * `.env`), and the same path under the root's real and configured absolute locations. Undefined
 * when it leaves the root (the tool refuses such a call). Synchronous: patterns are judged before
 * the call runs; a symlink changed between that and the call is the tool's to refuse or follow
 * within the root.
 */
export function patternPaths(
  realRoot: string,
  configuredRoot: string,
  requested: string,
): string[] | undefined {
  const lexical = isAbsolute(requested) ? resolve(requested) : resolve(realRoot, requested);
  if (!isInside(realRoot, lexical)) return undefined;
  const missing: string[] = [];
  let current = lexical;
  for (;;) {
    try {
      const target = resolve(realpathSync(current), ...missing);
      if (!isInside(realRoot, target)) return undefined;
      const inRoot = relative(realRoot, target) || ".";
      return [...new Set([inRoot, target, join(configuredRoot, inRoot)])];
    } catch {
      const parent = dirname(current);
      if (parent === current) return undefined;
      missing.unshift(basename(current));
      current = parent;
    }
  }
}
