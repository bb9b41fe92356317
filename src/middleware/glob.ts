import { modelToolName, splitApprovalPattern } from "../config/tool-patterns.ts";

/**
 * Glob matching where `*` matches any run of characters (spaces and `/` included) and every other
 * character matches itself. Iterative with single-star backtracking: linear-ish, never exponential.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * An approval pattern `tool:argglob` ready to match calls: `tool` is a glob over the names the
 * model calls tools by (`agent:NAME` in config becomes `agent_NAME`); without `:argglob` the
 * pattern matches every call of the tool (`args` is `*`). `source` is the pattern as written.
 */
export interface CallPattern {
  source: string;
  tool: string;
  args: string;
}

/**
 * Parses approval patterns as config validation reads them (`splitApprovalPattern`), so the tool
 * a pattern was checked against is the tool it matches: `agent:NAME:argglob` names sub-agent
 * `NAME`, never a tool called `agent`.
 */
export function parseCallPatterns(patterns: readonly string[] = []): CallPattern[] {
  return patterns.map((source) => {
    const { tool, args } = splitApprovalPattern(source);
    return { source, tool: modelToolName(tool), args: args ?? "*" };
  });
}

/** The patterns of `patterns` whose tool glob matches `tool` (the name the model calls it by). */
export function patternsFor(patterns: readonly CallPattern[], tool: string): CallPattern[] {
  return patterns.filter((pattern) => globMatch(pattern.tool, tool));
}
