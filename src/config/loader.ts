import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { ConfigError, type ConfigIssue } from "../spec/errors.ts";
import { checkFiles } from "./check-files.ts";
import { checkHttpSecrets } from "./check-http-secrets.ts";
import { checkMcp } from "./check-mcp.ts";
import { checkPatterns } from "./check-patterns.ts";
import { checkProviders } from "./check-providers.ts";
import { checkReferences } from "./check-references.ts";
import { checkSandbox } from "./check-sandbox.ts";
import { checkSchedules } from "./check-schedules.ts";
import { NAMED_SECTIONS, type Report, type SemanticInput } from "./issue-report.ts";
import { formatKeyPath } from "./key-path.ts";
import { mergeFiles, originKey } from "./merge-files.ts";
import { resolveConfigPaths } from "./resolve-paths.ts";
import type { Config } from "./schema.ts";
import { displayPath, readSources, type SourceFile } from "./source-files.ts";
import { validateFile } from "./validate-file.ts";

/** A configuration that loaded without any problem. */
export interface LoadedConfig {
  /** Absolute path of the main file. */
  path: string;
  /** Absolute paths of every file read, main first, then includes in the order met. */
  files: string[];
  /** Validated and merged; every path-valued key is absolute; `${VAR}` references are still raw. */
  config: Config;
}

/** Where to read from and how to resolve `~` and displayed paths. */
export interface LoadOptions {
  /** Environment used for HOME (`~`); unset `${VAR}`s are not checked here. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths on the command line and in messages are relative to. Default: process.cwd(). */
  cwd?: string;
  /**
   * Names of tools a library host defines in code (`createRuntime(loaded, { tools })`): agents may
   * list them without a `[tools.*]` table.
   */
  codeTools?: readonly string[];
  /** The main file's TOML text, used instead of reading `path` (which still anchors relative paths). */
  text?: string;
}

/**
 * Reads, parses, validates and merges a configuration and its includes. Every problem found in
 * any file (syntax, shape, references, files, patterns, schedules) is collected and thrown at
 * once as a `ConfigError` whose issues are sorted by file (main first), line and column.
 */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const home = options.env?.["HOME"] ?? process.env["HOME"] ?? homedir();
  const mainPath = resolve(cwd, path);
  const sources = readSources(mainPath, cwd, home, options.text);
  const issues: ConfigIssue[] = [...sources.issues];
  const parts: { file: SourceFile; config: Config }[] = [];
  for (const file of sources.files) {
    const { config, issues: fileIssues } = await validateFile(file);
    issues.push(...fileIssues);
    resolveConfigPaths(config, dirname(file.path), home);
    parts.push({ file, config });
  }
  const main = sources.files.find((file) => file.main);
  if (main) {
    const merged = mergeFiles(parts);
    for (const name of options.codeTools ?? []) merged.declared.tools.add(name);
    issues.push(...merged.issues);
    const shapePaths = issues.map((issue) => issue.path);
    const report: Report = (keyPath, fields, prefer = "value") => {
      const at = formatKeyPath(keyPath);
      if (shapePaths.some((p) => p === at || p.startsWith(`${at}.`) || p.startsWith(`${at}[`))) return;
      const section = keyPath[0];
      const name = keyPath[1];
      const owner =
        typeof section === "string" &&
        typeof name === "string" &&
        (NAMED_SECTIONS as readonly string[]).includes(section)
          ? (merged.origins.get(originKey(section, name)) ?? main)
          : main;
      issues.push({
        file: owner.display,
        ...owner.locator.locate(keyPath, prefer),
        path: at,
        ...fields,
      });
    };
    const input: SemanticInput = {
      config: merged.config,
      declared: merged.declared,
      report,
      show: (file) => displayPath(file, cwd),
    };
    checkReferences(input);
    checkProviders(input);
    checkHttpSecrets(input);
    checkMcp(input);
    checkPatterns(input);
    await checkFiles(input);
    await checkSandbox(input);
    await checkSchedules(input);
    if (issues.length === 0) {
      return { path: mainPath, files: sources.files.map((file) => file.path), config: merged.config };
    }
  }
  throw new ConfigError(sortIssues(issues, sources.files), summary(issues));
}

function summary(issues: readonly ConfigIssue[]): string {
  return `configuration has ${issues.length} problem${issues.length === 1 ? "" : "s"}`;
}

function sortIssues(issues: ConfigIssue[], files: readonly SourceFile[]): ConfigIssue[] {
  const order = new Map(files.map((file, i) => [file.display, i]));
  const rank = (issue: ConfigIssue) =>
    order.get(issue.file) ?? (issue.line === undefined ? -1 : files.length);
  return [...issues].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
