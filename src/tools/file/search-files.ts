import type { Stats } from "node:fs";
import { type FileHandle, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  childPath,
  type DirRef,
  type FileRoot,
  type OpenFile,
  openChild,
  openChildDir,
  READ_FLAGS,
} from "./open-in-root.ts";
import { handleReader, readWindow } from "./read-window.ts";

const SKIPPED_DIRS = new Set([".git", "node_modules"]);
const MAX_LINE_SHOWN = 200;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/**
 * Matches one search returns at most, whatever `limit` the model asks for: the lines are held in
 * memory, and a tree of text files with `limit: 1e9` and a pattern matching every line would
 * otherwise fill it (about 10 MB at most here, with lines cut at 200 characters).
 */
export const MAX_MATCHES = 10_000;
/** Directory entries one search examines at most, so a huge tree cannot keep a call busy forever. */
const MAX_ENTRIES = 100_000;
/**
 * Longest stretch (ms) a search matches lines without letting the event loop turn. The model
 * writes the pattern: a regular expression that backtracks catastrophically (`/(a+)+$/`) takes up
 * to seconds per line, so without these pauses one search over a file of such lines would hold the
 * process for hours, and no timeout, Ctrl-C or other agent could run until it ended.
 */
const MATCH_SLICE_MS = 20;

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

/** Matches found by `searchFiles`; `more` when the limit (matches or entries) stopped the search. */
export interface SearchResult {
  lines: string[];
  more: boolean;
}

interface SearchState {
  root: FileRoot;
  matches: (line: string) => boolean;
  maxMatches: number;
  signal: AbortSignal;
  found: string[];
  entries: number;
  more: boolean;
}

/**
 * Searches the regular files under the open directory `start` (whose path relative to the root
 * is `relative`) and returns up to `maxMatches` lines as `file:line: text`. Every directory and
 * file is opened through its verified parent's descriptor with no-follow semantics, so symlinks
 * are never followed and a directory swapped for a symlink mid-search is skipped; `.git`,
 * `node_modules`, binary files, special files and files over 4 MiB are skipped too.
 */
export async function searchFiles(
  root: FileRoot,
  start: DirRef,
  relative: string,
  matches: (line: string) => boolean,
  maxMatches: number,
  signal: AbortSignal,
): Promise<SearchResult> {
  const state = newState(root, matches, maxMatches, signal);
  await searchDir(state, start, relative === "." ? "" : relative);
  return { lines: state.found, more: state.more };
}

/** Searches one open, verified regular file (the search path named a file). */
export async function searchOneFile(
  root: FileRoot,
  file: OpenFile,
  shown: string,
  matches: (line: string) => boolean,
  maxMatches: number,
  signal: AbortSignal,
): Promise<SearchResult> {
  const state = newState(root, matches, maxMatches, signal);
  await searchOpened(state, file.file, file.stat, shown);
  return { lines: state.found, more: state.more };
}

function newState(
  root: FileRoot,
  matches: (line: string) => boolean,
  maxMatches: number,
  signal: AbortSignal,
): SearchState {
  return {
    root,
    matches,
    maxMatches: Math.min(maxMatches, MAX_MATCHES),
    signal,
    found: [],
    entries: 0,
    more: false,
  };
}

async function searchDir(state: SearchState, dir: DirRef, prefix: string): Promise<void> {
  const entries = (await readdir(childPath(state.root, dir, "."), { withFileTypes: true }))
    .map((entry) => ({ name: entry.name, dir: entry.isDirectory(), file: entry.isFile() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    state.signal.throwIfAborted();
    if (state.more) return;
    if (++state.entries > MAX_ENTRIES) {
      state.more = true;
      return;
    }
    const shown = prefix === "" ? entry.name : join(prefix, entry.name);
    if (entry.dir && !SKIPPED_DIRS.has(entry.name)) {
      const child = await openChildDir(state.root, dir, entry.name);
      if (!child.ok) continue;
      try {
        await searchDir(state, child.value, shown);
      } finally {
        await child.value.handle.close();
      }
    } else if (entry.file) {
      await searchFile(state, dir, entry.name, shown);
    }
  }
}

async function searchFile(state: SearchState, dir: DirRef, name: string, shown: string): Promise<void> {
  const opened = await openChild(state.root, dir, name, READ_FLAGS);
  if (!opened.ok) return;
  try {
    await searchOpened(state, opened.value, opened.stat, shown);
  } finally {
    await opened.value.close();
  }
}

async function searchOpened(state: SearchState, file: FileHandle, stat: Stats, shown: string): Promise<void> {
  if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return;
  const window = await readWindow(handleReader(file), {
    offset: 1,
    limit: Number.POSITIVE_INFINITY,
    maxBytes: MAX_FILE_BYTES * 2,
    size: stat.size,
    signal: state.signal,
  });
  if (window.binary) return;
  let slice = performance.now();
  for (const entry of window.text.split("\n")) {
    if (performance.now() - slice > MATCH_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      state.signal.throwIfAborted();
      slice = performance.now();
    }
    const tab = entry.indexOf("\t");
    const text = entry.slice(tab + 1);
    if (tab < 0 || !state.matches(text)) continue;
    if (state.found.length >= state.maxMatches) {
      state.more = true;
      return;
    }
    const line = text.length > MAX_LINE_SHOWN ? `${text.slice(0, MAX_LINE_SHOWN)}…` : text;
    state.found.push(`${shown}:${entry.slice(0, tab)}: ${line}`);
  }
}
