import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative } from "node:path";
import { parse, TomlError } from "smol-toml";
import type { ConfigIssue } from "../spec/errors.ts";
import { expandInclude, hasWildcard } from "./include-glob.ts";
import { formatKeyPath, type KeyPath } from "./key-path.ts";
import { createLocator, type SourceLocator } from "./toml-locator.ts";

/** One parsed configuration file: its text, parsed tables and a locator for its keys. */
export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Path as shown in messages: relative to the working directory when inside it. */
  display: string;
  raw: Record<string, unknown>;
  locator: SourceLocator;
  /** True for the file named on the command line; false for included files. */
  main: boolean;
}

/** The files of one configuration, main first, and the problems met while reading them. */
export interface SourceSet {
  files: SourceFile[];
  issues: ConfigIssue[];
}

/** Shows a path relative to `cwd` when it lies inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

const TOML_WORDING: Record<string, string> = {
  "control characters are not allowed in strings": "string not closed before the end of the line",
  "trying to redefine an already defined table or value": "key or table defined twice",
  "invalid value": "missing or invalid value",
};

function readError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return err instanceof Error ? err.message : String(err);
}

interface IncludeSite {
  file: SourceFile;
  path: KeyPath;
}

/**
 * Reads the main file and, depth first, every file its `include` globs name (relative to the
 * including file). A file reached twice is read once; a file that includes itself through a
 * chain is an include cycle, reported at the `include` entry that closes it. `mainText`, when
 * given, is the main file's content (a library host's inline configuration).
 */
export function readSources(mainPath: string, cwd: string, home: string, mainText?: string): SourceSet {
  const files: SourceFile[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();

  const siteIssue = (site: IncludeSite, message: string): ConfigIssue => {
    const position = site.file.locator.locate(site.path, "value");
    return { file: site.file.display, path: formatKeyPath(site.path), message, ...position };
  };

  const visit = (path: string, stack: string[], site: IncludeSite | undefined): void => {
    const display = displayPath(path, cwd);
    if (stack.includes(path)) {
      const cycle = [...stack.slice(stack.indexOf(path)), path].map((p) => displayPath(p, cwd)).join(" → ");
      if (site) issues.push(siteIssue(site, `include cycle: ${cycle}`));
      return;
    }
    if (seen.has(path)) return;
    seen.add(path);
    let text: string;
    try {
      text = site === undefined && mainText !== undefined ? mainText : readFileSync(path, "utf8");
    } catch (err) {
      const reason = readError(err);
      issues.push(
        site
          ? siteIssue(site, `cannot read included file ${display}: ${reason}`)
          : { file: display, path: "", message: `cannot read configuration file: ${reason}` },
      );
      return;
    }
    let raw: Record<string, unknown>;
    try {
      raw = parse(text) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof TomlError)) throw err;
      const reason = err.message.replace(/^Invalid TOML document: /, "").split("\n")[0] ?? "";
      issues.push({
        file: display,
        line: err.line,
        column: err.column,
        path: "",
        message: `invalid TOML: ${TOML_WORDING[reason] ?? reason}`,
      });
      return;
    }
    const file: SourceFile = { path, display, raw, locator: createLocator(text), main: site === undefined };
    files.push(file);
    const include = raw["include"];
    if (!Array.isArray(include)) return;
    include.forEach((pattern, index) => {
      if (typeof pattern !== "string" || pattern === "") return;
      const includeSite = { file, path: ["include", index] };
      const targets = expandInclude(pattern, dirname(path), home);
      if (targets.length === 0 && hasWildcard(pattern)) {
        issues.push(siteIssue(includeSite, `include pattern ${JSON.stringify(pattern)} matched no files`));
      }
      for (const target of targets) visit(target, [...stack, path], includeSite);
    });
  };

  visit(mainPath, [], undefined);
  return { files, issues };
}
