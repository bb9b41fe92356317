import { lstatSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/** Directory entries one include glob may examine before it is refused as too broad. */
export const MAX_GLOB_ENTRIES = 10_000;
/** Directory levels a `**` may descend below where it starts. */
export const MAX_GLOB_DEPTH = 8;

/** The files an include entry names, or why the entry is refused. */
export type IncludeExpansion = { ok: true; paths: string[] } | { ok: false; reason: string };

/**
 * Expands an `include` entry relative to the including file's directory. A plain path (no
 * wildcard) is returned unchecked, absolute or not, so the reader can report why it cannot be
 * read. A glob (`*`, `?`, `[abc]` within a segment, `**` for directories) must stay inside the
 * including file's directory tree: absolute globs, `~` and `..` segments are refused, `**` does
 * not descend into symlinked directories or deeper than `MAX_GLOB_DEPTH` levels, hidden entries
 * match only a segment that starts with a dot, and a walk examining more than `MAX_GLOB_ENTRIES`
 * entries is refused, so no pattern can walk the whole filesystem.
 */
export function expandInclude(pattern: string, baseDir: string, home: string): IncludeExpansion {
  if (!hasWildcard(pattern)) {
    const expanded = pattern === "~" || pattern.startsWith("~/") ? join(home, pattern.slice(1)) : pattern;
    return { ok: true, paths: [isAbsolute(expanded) ? expanded : resolve(baseDir, expanded)] };
  }
  if (isAbsolute(pattern) || /^[A-Za-z]:/.test(pattern) || pattern.startsWith("~")) {
    return {
      ok: false,
      reason:
        "an include glob must be relative to the including file's directory (name an absolute file without wildcards)",
    };
  }
  const segments = pattern.split(/[\\/]+/).filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    return {
      ok: false,
      reason: "an include glob may not leave the including file's directory (no .. segments)",
    };
  }
  const walk = new BoundedWalk();
  walk.visit(resolve(baseDir), segments, 0);
  if (walk.exhausted) {
    return {
      ok: false,
      reason: `the include glob examined more than ${MAX_GLOB_ENTRIES} directory entries; narrow it`,
    };
  }
  return { ok: true, paths: [...walk.found].sort() };
}

/** Whether a pattern uses glob syntax at all. */
export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

class BoundedWalk {
  readonly found = new Set<string>();
  exhausted = false;
  private budget = MAX_GLOB_ENTRIES;

  visit(dir: string, segments: readonly string[], depth: number): void {
    if (this.exhausted) return;
    const [segment, ...rest] = segments;
    if (segment === undefined) {
      if (isFile(dir)) this.found.add(dir);
      return;
    }
    if (segment === "**") {
      this.visit(dir, rest, depth);
      if (depth >= MAX_GLOB_DEPTH) return;
      for (const entry of this.list(dir)) {
        if (!entry.startsWith(".") && isRealDirectory(join(dir, entry)))
          this.visit(join(dir, entry), segments, depth + 1);
      }
      return;
    }
    if (!hasWildcard(segment)) {
      this.visit(join(dir, segment), rest, depth);
      return;
    }
    const matcher = segmentPattern(segment);
    for (const entry of this.list(dir)) {
      if (entry.startsWith(".") && !segment.startsWith(".")) continue;
      if (matcher.test(entry)) this.visit(join(dir, entry), rest, depth);
    }
  }

  private list(dir: string): string[] {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return [];
    }
    this.budget -= entries.length;
    if (this.budget < 0) {
      this.exhausted = true;
      return [];
    }
    return entries;
  }
}

function segmentPattern(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) source += "\\[";
      else {
        const body = segment
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        source += `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isRealDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
