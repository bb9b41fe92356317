import { mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute } from "node:path";
import { z } from "zod";
import type { FileToolConfig } from "../../config/schema.ts";
import { ConfigError } from "../../spec/errors.ts";
import type { Tool, ToolResult } from "../../spec/tool.ts";
import { toolError, toolRefusal } from "../tool-result.ts";
import description from "./description.txt" with { type: "text" };
import { readLines } from "./read-lines.ts";
import { sandboxPath } from "./sandbox-path.ts";
import { compilePattern, searchFiles } from "./search-files.ts";

/** Arguments the model passes to a file tool; which fields matter depends on `op`. */
export const fileParameters = z.object({
  op: z.enum(["read", "list", "search", "write"]).describe("The operation"),
  path: z.string().describe('Path relative to the root; "." is the root itself'),
  content: z.string().optional().describe("write: the complete new file content"),
  pattern: z.string().min(1).optional().describe("search: a substring, or /regex/flags"),
  offset: z.number().int().min(1).optional().describe("read: first line, 1-based"),
  limit: z.number().int().min(1).optional().describe("read: number of lines; search: maximum matches"),
});

/** Parsed file tool arguments. */
export type FileArgs = z.infer<typeof fileParameters>;

const DEFAULT_MAX_READ = 256 * 1024;
const DEFAULT_READ_LINES = 2000;
const DEFAULT_MATCHES = 100;
const MAX_LIST_ENTRIES = 1000;

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

/**
 * Builds a file tool confined to `config.root` (absolute; must exist, else ConfigError). Writing
 * needs `write = true`; the tool is read-only otherwise.
 */
export function createFileTool(name: string, config: FileToolConfig): Tool<FileArgs> {
  const root = realRoot(name, config.root);
  const maxRead = config.max_read ?? DEFAULT_MAX_READ;
  const writable = config.write ?? false;
  const preface = config.description ? `${config.description}\n\n` : "";
  const access = writable ? "Writing is enabled." : "This tool is read-only: `write` is refused.";

  return {
    name,
    description: `${preface}${description.trim()}\n\nRoot: ${config.root}. ${access}`,
    parameters: fileParameters,
    readOnly: !writable,
    async execute(args): Promise<ToolResult> {
      try {
        return await run(args);
      } catch (err) {
        return toolError(`${args.op} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };

  async function run(args: FileArgs): Promise<ToolResult> {
    if (args.op === "write" && !writable)
      return toolRefusal("refused: this file tool is read-only (write = false)");
    const target = sandboxPath(root, args.path);
    if (!target.ok) return toolRefusal(target.error);
    const stat = statSync(target.path, { throwIfNoEntry: false });
    switch (args.op) {
      case "read": {
        if (!stat) return toolError(`${target.relative} does not exist`);
        if (stat.isDirectory()) return toolError(`${target.relative} is a directory; use op "list"`);
        const offset = args.offset ?? 1;
        const window = await readLines(
          target.path,
          offset,
          args.limit ?? DEFAULT_READ_LINES,
          maxRead,
          stat.size,
        );
        if (window.binary) return toolError(`${target.relative} is a binary file`);
        const note = window.more
          ? `\n[... more lines follow; continue with offset ${window.lastLine + 1} ...]`
          : "";
        return {
          ok: true,
          output: window.text + note,
          meta: { path: target.relative, lines: window.lastLine - offset + 1 },
        };
      }
      case "list": {
        if (!stat?.isDirectory()) return toolError(`${target.relative} is not a directory`);
        const entries = readdirSync(target.path, { withFileTypes: true })
          .map((e) => e.name + (e.isDirectory() ? "/" : e.isSymbolicLink() ? "@" : ""))
          .sort();
        const shown = entries.slice(0, args.limit ?? MAX_LIST_ENTRIES);
        const note =
          entries.length > shown.length ? `\n[... ${entries.length - shown.length} more entries ...]` : "";
        return {
          ok: true,
          output: shown.join("\n") + note,
          meta: { path: target.relative, entries: entries.length },
        };
      }
      case "search": {
        if (!args.pattern) return toolError('op "search" needs a "pattern"');
        if (!stat) return toolError(`${target.relative} does not exist`);
        const matcher = compilePattern(args.pattern);
        if (typeof matcher === "string") return toolError(matcher);
        const found = await searchFiles(root, target.path, matcher, args.limit ?? DEFAULT_MATCHES);
        const note = found.more ? `\n[... more matches; raise limit or narrow the path ...]` : "";
        const output = found.lines.length > 0 ? found.lines.join("\n") + note : "no matches";
        return { ok: true, output, meta: { matches: found.lines.length, more: found.more } };
      }
      case "write": {
        if (args.content === undefined) return toolError('op "write" needs a "content"');
        if (stat?.isDirectory()) return toolError(`${target.relative} is a directory`);
        mkdirSync(dirname(target.path), { recursive: true });
        writeFileSync(target.path, args.content);
        const bytes = Buffer.byteLength(args.content);
        return {
          ok: true,
          output: `wrote ${bytes} bytes to ${target.relative}`,
          meta: { path: target.relative, bytes },
        };
      }
    }
  }
}
