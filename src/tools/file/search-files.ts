import { lstatSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { readLines } from "./read-lines.ts";

const SKIPPED_DIRS = new Set([".git", "node_modules"]);
const MAX_LINE_SHOWN = 200;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Turns the model's pattern into a matcher: `/regex/flags` is a regular expression, anything
 * else a plain substring. Returns an error message for an invalid regular expression.
 */
export function compilePattern(pattern: string): ((line: string) => boolean) | string {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!regex) return (line) => line.includes(pattern);
  try {
    const re = new RegExp(regex[1] as string, (regex[2] as string).replace(/[gy]/g, ""));
    return (line) => re.test(line);
  } catch (err) {
    return `invalid regular expression ${pattern}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function* walk(path: string): Generator<string> {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isFile()) {
    if (stat.size <= MAX_FILE_BYTES) yield path;
    return;
  }
  if (!stat.isDirectory()) return;
  const entries = readdirSync(path).sort();
  for (const entry of entries) {
    if (!SKIPPED_DIRS.has(entry)) yield* walk(join(path, entry));
  }
}

/**
 * Searches files under `start` (not following symlinks, skipping `.git`, `node_modules`, binary
 * files and files over 4 MiB) and returns up to `maxMatches` lines as `file:line: text`, paths
 * relative to `root`.
 */
export async function searchFiles(
  root: string,
  start: string,
  matches: (line: string) => boolean,
  maxMatches: number,
): Promise<{ lines: string[]; more: boolean }> {
  const found: string[] = [];
  for (const file of walk(start)) {
    const window = await readLines(file, 1, Number.POSITIVE_INFINITY, MAX_FILE_BYTES * 2);
    if (window.binary || window.text === "") continue;
    for (const entry of window.text.split("\n")) {
      const tab = entry.indexOf("\t");
      const text = entry.slice(tab + 1);
      if (!matches(text)) continue;
      if (found.length >= maxMatches) return { lines: found, more: true };
      const shown = text.length > MAX_LINE_SHOWN ? `${text.slice(0, MAX_LINE_SHOWN)}…` : text;
      found.push(`${relative(root, file)}:${entry.slice(0, tab)}: ${shown}`);
    }
  }
  return { lines: found, more: false };
}
