import { closeSync, existsSync, realpathSync, statSync } from "node:fs";
import { opendir } from "node:fs/promises";
import { basename, dirname, isAbsolute } from "node:path";
import type { z } from "zod";
import type { FileToolConfig } from "../../config/schema.ts";
import { lazySchema } from "../../lazy-zod/lazy-schema.ts";
import { ConfigError } from "../../spec/errors.ts";
import type { Tool, ToolResult } from "../../spec/tool.ts";
import { matchSpellings } from "../argument-spellings.ts";
import { toolError, toolRefusal } from "../tool-result.ts";
import description from "./description.txt" with { type: "text" };
import { LocalRootDir, localReadBuffer, localRoot, openLocalFile, readLocalFile } from "./local-read.ts";
import {
  childPath,
  type DirRef,
  type FileRoot,
  notRegular,
  type OpenFile,
  openChild,
  openChildDir,
  openDirAt,
  READ_FLAGS,
} from "./open-in-root.ts";
import { FILE_PARAMETERS_JSON, FILE_READ_ONLY_PARAMETERS_JSON } from "./parameters-json.ts";
import { patternPaths, searchReach } from "./pattern-paths.ts";
import {
  type FileWindow,
  handleReader,
  readWindow,
  type WindowRequest,
  windowOfContent,
} from "./read-window.ts";
import { resolveInRoot } from "./root-path.ts";
import { compilePattern, type SearchResult, searchFiles, searchOneFile } from "./search-files.ts";
import { writeInRoot } from "./write-file.ts";

/**
 * Arguments the model passes to a file tool; which fields matter depends on `op`. Built on first
 * use (`lazySchema`): arguments are validated only after the first model response (start-up,
 * docs/benchmarks/turns.md); the model sees FILE_PARAMETERS_JSON.
 */
export const fileParameters = lazySchema((z) =>
  z.object({
    op: z.enum(["read", "list", "search", "write"]).describe("The operation"),
    path: z.string().describe('Path relative to the root; "." is the root itself'),
    content: z.string().optional().describe("write: the complete new file content"),
    pattern: z.string().min(1).optional().describe("search: a substring, or /regex/flags"),
    offset: z.number().int().min(1).optional().describe("read: first line, 1-based"),
    byte_offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("read: start at this byte instead of a line (to continue a line too long to read at once)"),
    limit: z.number().int().min(1).optional().describe("read: number of lines; search: maximum matches"),
  }),
);

/** Parsed file tool arguments. */
export type FileArgs = z.infer<ReturnType<typeof fileParameters>>;

/** Default `max_read`: under the context-enrichment cap (32 KiB), so a read window reaches the model whole. */
const DEFAULT_MAX_READ = 30 * 1024;
const DEFAULT_READ_LINES = 2000;
const DEFAULT_MATCHES = 100;
const MAX_LIST_ENTRIES = 1000;
/** Names a listing sorts at most; entries past them are only counted. */
const MAX_LIST_SCAN = 100_000;

function realRoot(name: string, root: string): string {
  const fail = (message: string) =>
    new ConfigError(
      [{ file: "configuration", path: `tools.${name}.root`, message, found: JSON.stringify(root) }],
      `tools.${name}.root: ${message}`,
    );
  if (!isAbsolute(root)) throw fail("the file tool's root must be an absolute path");
  try {
    const real = realpathSync(root);
    if (!statSync(real).isDirectory()) throw fail("the file tool's root is not a directory");
    return real;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw fail("the file tool's root does not exist");
  }
}

function continuationNote(window: FileWindow, size: number): string {
  const next = window.next;
  if (!next) return "";
  if (next.cutLine !== undefined) {
    return `\n[... line ${next.cutLine} is longer than this tool returns at once; it continues at byte ${next.byte} of ${size}: continue with byte_offset ${next.byte} ...]`;
  }
  if (next.line !== undefined) {
    return `\n[... more lines follow; continue with offset ${next.line} (or byte_offset ${next.byte}) ...]`;
  }
  return `\n[... ${size - next.byte} more bytes follow; continue with byte_offset ${next.byte} ...]`;
}

/**
 * Builds a file tool confined to `config.root` (absolute; must exist, else ConfigError). Writing
 * needs `write = true`; the tool is read-only otherwise. Every path is opened with no-follow
 * semantics and verified on its descriptor (open-in-root.ts); only regular files are read or
 * written; I/O is asynchronous, in bounded chunks, and stops when the call's signal aborts, except
 * for reading a small file on the root's local file system (local-read.ts).
 */
export function createFileTool(name: string, config: FileToolConfig): Tool<FileArgs> {
  const root: FileRoot = { path: realRoot(name, config.root), procFd: existsSync("/proc/self/fd") };
  const localBase = localRoot(root);
  const local = localBase && new LocalRootDir(localBase);
  let scratch: Buffer | undefined;
  const maxRead = config.max_read ?? DEFAULT_MAX_READ;
  const writable = config.write ?? false;
  const preface = config.description ? `${config.description}\n\n` : "";
  const access = writable
    ? "\n- `write`: replaces the file at `path` with `content` (creating parent directories)."
    : "\n\nThis tool is read-only.";

  return {
    name,
    description: `${preface}${description.trim()}${access}\n\nRoot: ${config.root}.`,
    get parameters() {
      return fileParameters();
    },
    inputSchema: writable ? FILE_PARAMETERS_JSON : FILE_READ_ONLY_PARAMETERS_JSON,
    readOnly: !writable,
    matchArguments(args, globs, mode) {
      const { op, path } = args;
      if (typeof op !== "string" || typeof path !== "string") return { kind: "no_match" };
      const spellings = patternPaths(root.path, config.root, path);
      const canonical = spellings?.map((spelling) => `${op} ${spelling}`);
      const verdict = matchSpellings(globs, `${op} ${path}`, canonical, mode);
      if (verdict.kind !== "no_match" || mode !== "any" || op !== "search" || !spellings) return verdict;
      return searchReach(globs, spellings);
    },
    execute(args, ctx): Promise<ToolResult> {
      if (args.op === "read" && local) {
        let small: ToolResult | undefined;
        try {
          small = readSmall(local, args, ctx.signal);
        } catch (err) {
          return Promise.resolve(failure(args, ctx.signal, err));
        }
        if (small) return Promise.resolve(small);
      }
      return general(args, ctx.signal);
    },
  };

  /** What a call that threw answers: `cancelled` once its signal aborted, else what failed. */
  function failure(args: FileArgs, signal: AbortSignal, err: unknown): ToolResult {
    if (signal.aborted) return toolError("cancelled");
    return toolError(`${args.op} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  async function general(args: FileArgs, signal: AbortSignal): Promise<ToolResult> {
    try {
      return await run(args, signal);
    } catch (err) {
      return failure(args, signal, err);
    }
  }

  /**
   * A read of a small local file, made synchronously (local-read.ts); undefined when the fast path
   * does not apply, and the general path then answers. Synchronous all through, so a call it
   * answers allocates no async frames.
   */
  function readSmall(rootDir: LocalRootDir, args: FileArgs, signal: AbortSignal): ToolResult | undefined {
    const small = openLocalFile(rootDir, args.path);
    if (!small) return undefined;
    try {
      scratch ??= localReadBuffer();
      const content = readLocalFile(small, scratch);
      return content ? readContent(args, content, small.size, small.shown, signal) : undefined;
    } finally {
      closeSync(small.fd);
    }
  }

  async function run(args: FileArgs, signal: AbortSignal): Promise<ToolResult> {
    if (args.op === "write" && !writable)
      return toolRefusal("refused: this file tool is read-only (write = false)");
    const target = await resolveInRoot(root.path, args.path);
    if (!target.ok) return toolRefusal(target.error);
    const shown = target.relative;
    if (args.op === "write") {
      if (args.content === undefined) return toolError('op "write" needs a "content"');
      const written = await writeInRoot(root, target, args.content, signal);
      if (!written.ok) return openFailure(shown, written.error);
      return {
        ok: true,
        output: `wrote ${written.bytes} bytes to ${shown}`,
        meta: { path: shown, bytes: written.bytes },
      };
    }
    if (target.missing.length > 0) return toolError(`${shown} does not exist`);
    if (args.op === "search" && !args.pattern) return toolError('op "search" needs a "pattern"');
    const isRoot = target.existing === root.path;
    const dir = await openDirAt(root, isRoot ? root.path : dirname(target.existing));
    if (!dir.ok) return openFailure(shown, dir.error);
    try {
      if (isRoot) return await onDirectory(args, dir.value, shown, signal);
      const name = basename(target.existing);
      const opened = await openChild(root, dir.value, name, READ_FLAGS);
      if (!opened.ok) return openFailure(shown, opened.error);
      if (!opened.stat.isDirectory()) {
        try {
          return await onFile(
            args,
            { dir: dir.value, name, file: opened.value, stat: opened.stat },
            shown,
            signal,
          );
        } finally {
          await opened.value.close();
        }
      }
      await opened.value.close();
      const sub = await openChildDir(root, dir.value, name);
      if (!sub.ok) return openFailure(shown, sub.error);
      try {
        return await onDirectory(args, sub.value, shown, signal);
      } finally {
        await sub.value.handle.close();
      }
    } finally {
      await dir.value.handle.close();
    }
  }

  async function onDirectory(
    args: FileArgs,
    dir: DirRef,
    shown: string,
    signal: AbortSignal,
  ): Promise<ToolResult> {
    if (args.op === "read") return toolError(`${shown} is a directory; use op "list"`);
    if (args.op === "search") return search(args, dir, shown, signal);
    return list(args, dir, shown, signal);
  }

  async function onFile(
    args: FileArgs,
    file: OpenFile,
    shown: string,
    signal: AbortSignal,
  ): Promise<ToolResult> {
    if (args.op === "list") return toolError(`${shown} is not a directory`);
    if (!file.stat.isFile()) return toolRefusal(`${shown} ${notRegular(file.stat)}`);
    if (args.op === "search") {
      const matcher = compilePattern(args.pattern as string);
      if (typeof matcher === "string") return toolError(matcher);
      const found = await searchOneFile(root, file, shown, matcher, args.limit ?? DEFAULT_MATCHES, signal);
      return searchResult(found);
    }
    const size = file.stat.size;
    const past = pastTheEnd(args, size, shown);
    if (past) return past;
    return readResult(
      await readWindow(handleReader(file.file), windowRequest(args, size, signal)),
      size,
      shown,
    );
  }

  function readContent(
    args: FileArgs,
    content: Buffer,
    size: number,
    shown: string,
    signal: AbortSignal,
  ): ToolResult {
    return (
      pastTheEnd(args, size, shown) ??
      readResult(windowOfContent(content, windowRequest(args, size, signal)), size, shown)
    );
  }

  function windowRequest(args: FileArgs, size: number, signal: AbortSignal): WindowRequest {
    const request: WindowRequest = {
      offset: args.offset ?? 1,
      limit: args.limit ?? DEFAULT_READ_LINES,
      maxBytes: maxRead,
      size,
      signal,
    };
    if (args.byte_offset !== undefined) request.byteOffset = args.byte_offset;
    return request;
  }

  async function list(args: FileArgs, dir: DirRef, shown: string, signal: AbortSignal): Promise<ToolResult> {
    const max = args.limit ?? MAX_LIST_ENTRIES;
    const entries: string[] = [];
    let total = 0;
    const handle = await opendir(childPath(root, dir, "."));
    try {
      for await (const entry of handle) {
        signal.throwIfAborted();
        total += 1;
        if (entries.length < MAX_LIST_SCAN)
          entries.push(entry.name + (entry.isDirectory() ? "/" : entry.isSymbolicLink() ? "@" : ""));
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
    entries.sort();
    const kept = entries.slice(0, max);
    const note = total > kept.length ? `\n[... ${total - kept.length} more entries ...]` : "";
    return { ok: true, output: kept.join("\n") + note, meta: { path: shown, entries: total } };
  }

  async function search(
    args: FileArgs,
    dir: DirRef,
    shown: string,
    signal: AbortSignal,
  ): Promise<ToolResult> {
    const matcher = compilePattern(args.pattern as string);
    if (typeof matcher === "string") return toolError(matcher);
    return searchResult(await searchFiles(root, dir, shown, matcher, args.limit ?? DEFAULT_MATCHES, signal));
  }
}

function pastTheEnd(args: FileArgs, size: number, shown: string): ToolResult | undefined {
  if (args.byte_offset === undefined || args.byte_offset <= size) return undefined;
  return toolError(`byte_offset ${args.byte_offset} is past the end of ${shown} (${size} bytes)`);
}

function readResult(window: FileWindow, size: number, shown: string): ToolResult {
  if (window.binary) return toolError(`${shown} is a binary file`);
  const meta: Record<string, unknown> = { path: shown, lines: window.lines, bytes: size };
  if (window.next) meta["next_byte"] = window.next.byte;
  return { ok: true, output: window.text + continuationNote(window, size), meta };
}

/**
 * A path that could not be opened or written: a refusal (counted in `refused_calls`) when one of
 * the tool's rules refused it (a symlink, a non-regular file, a path that left the root), else a
 * plain tool error (a missing file, permissions).
 */
function openFailure(shown: string, error: string): ToolResult {
  const text = `${shown} ${error}`;
  return /refused|symlink|not a regular file|named pipe|device|socket/.test(error)
    ? toolRefusal(text)
    : toolError(text);
}

function searchResult(found: SearchResult): ToolResult {
  const note = found.more ? `\n[... more matches; raise limit or narrow the path ...]` : "";
  const output = found.lines.length > 0 ? found.lines.join("\n") + note : "no matches";
  return { ok: true, output, meta: { matches: found.lines.length, more: found.more } };
}
