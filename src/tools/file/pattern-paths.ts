import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { ArgumentPatternVerdict } from "../../spec/tool.ts";
import { compileCommandGlob } from "../shell/command-glob.ts";
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

/**
 * Whether deny globs may cover a file that a `search` of the path spelt `spellings` (from
 * `patternPaths`) reads: the file it names, or every file below the directory. A glob that
 * matches `read` or `search` of the path, or of some path below it, refuses the call, so
 * `search .` does not read `.env` past `deny = ["files:read .env"]`. The files below are not
 * listed here (the tree may change before the search runs, and walking it would cost what the
 * search costs), so the verdict is `unverifiable`, naming the glob; a search of a narrower path
 * that no deny glob reaches runs.
 */
export function searchReach(globs: readonly string[], spellings: readonly string[]): ArgumentPatternVerdict {
  for (const glob of globs) {
    const compiled = compileCommandGlob(glob);
    for (const spelling of spellings) {
      const below = spelling === "." ? "" : spelling.endsWith("/") ? spelling : `${spelling}/`;
      for (const op of ["read", "search"]) {
        if (compiled.matches(`${op} ${spelling}`) || compiled.matchesSomeExtension(`${op} ${below}`)) {
          return {
            kind: "unverifiable",
            reason: `a search of ${JSON.stringify(spellings[0])} reads the files below it, which "${glob}" may cover; search a path outside what the pattern covers`,
          };
        }
      }
    }
  }
  return { kind: "no_match" };
}
