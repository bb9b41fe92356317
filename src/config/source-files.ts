import { dirname, isAbsolute, relative } from "node:path";
import { parse, TomlError } from "smol-toml";
import type { ConfigIssue } from "../spec/errors.ts";
import { expandInclude, hasWildcard } from "./include-glob.ts";
import { formatKeyPath, type KeyPath } from "./key-path.ts";
import { readConfigFile } from "./read-config-file.ts";
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

/** The most configuration files (main and included) one configuration may consist of. */
export const MAX_CONFIG_FILES = 256;

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
    if (files.length >= MAX_CONFIG_FILES) {
      if (site)
        issues.push(
          siteIssue(site, `more than ${MAX_CONFIG_FILES} configuration files; not reading ${display}`),
        );
      return;
    }
    const read =
      site === undefined && mainText !== undefined
        ? { ok: true as const, text: mainText }
        : readConfigFile(path);
    if (!read.ok) {
      issues.push(
        site
          ? siteIssue(site, `cannot read included file ${display}: ${read.reason}`)
          : { file: display, path: "", message: `cannot read configuration file: ${read.reason}` },
      );
      return;
    }
    const text = read.text;
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
      if (!targets.ok) {
        issues.push(
          siteIssue(includeSite, `include pattern ${JSON.stringify(pattern)} refused: ${targets.reason}`),
        );
        return;
      }
      if (targets.paths.length === 0 && hasWildcard(pattern)) {
        issues.push(siteIssue(includeSite, `include pattern ${JSON.stringify(pattern)} matched no files`));
      }
      for (const target of targets.paths) visit(target, [...stack, path], includeSite);
    });
  };

  visit(mainPath, [], undefined);
  return { files, issues };
}
