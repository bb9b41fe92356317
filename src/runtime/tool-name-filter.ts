import { globMatch } from "../middleware/glob.ts";
import { UsageError } from "../spec/errors.ts";

/**
 * Globs over tool names that narrow what every agent of a runtime may use (the CLI's
 * `--allowed-tools` / `--disallowed-tools`). They only ever remove tools an agent lists; they
 * never add one.
 */
export interface ToolNamePatterns {
  /** When given, only tools matching one of these remain (an empty list removes every tool). */
  allowed?: readonly string[];
  /** Tools matching one of these are removed; this wins over `allowed`. */
  disallowed?: readonly string[];
}

/** Decides whether a tool known by any of `names` stays. */
export type ToolNameFilter = (names: readonly string[]) => boolean;

const PATTERN = /^[A-Za-z0-9_:.*-]+$/;

/**
 * Why a tool-name glob is unusable, or undefined: only letters, digits, `_`, `-`, `.`, `:` and
 * the wildcard `*` (any run of characters). `?` or `[…]` are refused rather than taken
 * literally, so a pattern meant to remove a tool cannot silently match nothing.
 */
export function toolPatternError(pattern: string): string | undefined {
  if (pattern === "") return "the pattern is empty";
  if (!PATTERN.test(pattern))
    return "use tool names with * as the only wildcard (letters, digits, _ - . : and *)";
  return undefined;
}

/**
 * The filter of `patterns`, or undefined when they filter nothing. A tool is matched by each of
 * its names (the configured entry, e.g. `agent:researcher`, and the name the model sees, e.g.
 * `agent_researcher` or `mcp__github__create_issue`), case-insensitively. Throws UsageError
 * (exit 2) for an unusable pattern.
 */
export function toolNameFilter(patterns: ToolNamePatterns): ToolNameFilter | undefined {
  const { allowed, disallowed = [] } = patterns;
  if (allowed === undefined && disallowed.length === 0) return undefined;
  const lower = (list: readonly string[], flag: string) =>
    list.map((pattern) => {
      const problem = toolPatternError(pattern);
      if (problem) throw new UsageError(`${flag}: invalid pattern "${pattern}": ${problem}`);
      return pattern.toLowerCase();
    });
  const allow = allowed === undefined ? undefined : lower(allowed, "--allowed-tools");
  const deny = lower(disallowed, "--disallowed-tools");
  const matches = (list: readonly string[], names: readonly string[]) =>
    names.some((name) => list.some((pattern) => globMatch(pattern, name.toLowerCase())));
  return (names) => !matches(deny, names) && (allow === undefined || matches(allow, names));
}
