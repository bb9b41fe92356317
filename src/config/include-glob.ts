import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Expands an `include` pattern relative to the including file's directory. Supports `*` and `?`
 * within one path segment, `[abc]` classes and `**` for any number of directories; hidden
 * entries match only when the pattern segment starts with a dot. Without wildcards the single
 * path is returned unchecked, so the reader can report why it cannot be read.
 */
export function expandInclude(pattern: string, baseDir: string, home: string): string[] {
  const expanded = pattern === "~" || pattern.startsWith("~/") ? join(home, pattern.slice(1)) : pattern;
  const absolute = isAbsolute(expanded) ? expanded : resolve(baseDir, expanded);
  if (!hasWildcard(expanded)) return [absolute];
  const root = absolute.startsWith("/") ? "/" : (absolute.match(/^[A-Za-z]:[\\/]/)?.[0] ?? "/");
  const segments = absolute
    .slice(root.length)
    .split(/[\\/]+/)
    .filter((segment) => segment !== "");
  const found = new Set<string>();
  walk(root, segments, found);
  return [...found].sort();
}

/** Whether a pattern uses glob syntax at all. */
export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function walk(dir: string, segments: readonly string[], found: Set<string>): void {
  const [segment, ...rest] = segments;
  if (segment === undefined) {
    if (isFile(dir)) found.add(dir);
    return;
  }
  if (segment === "**") {
    walk(dir, rest, found);
    for (const entry of listDirectories(dir)) walk(join(dir, entry), segments, found);
    return;
  }
  if (!hasWildcard(segment)) {
    walk(join(dir, segment), rest, found);
    return;
  }
  const matcher = segmentPattern(segment);
  for (const entry of list(dir)) {
    if (entry.startsWith(".") && !segment.startsWith(".")) continue;
    if (matcher.test(entry)) walk(join(dir, entry), rest, found);
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

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function listDirectories(dir: string): string[] {
  return list(dir).filter((entry) => !entry.startsWith(".") && isDirectory(join(dir, entry)));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
