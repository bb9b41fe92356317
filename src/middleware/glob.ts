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

/** A `tool:argglob` pattern; a pattern without `:` matches every call of the tool. */
export interface CallPattern {
  source: string;
  tool: string;
  args: string;
}

/** Parses `tool:argglob` patterns (split at the first `:`). */
export function parseCallPatterns(patterns: readonly string[] = []): CallPattern[] {
  return patterns.map((source) => {
    const colon = source.indexOf(":");
    return colon === -1
      ? { source, tool: source, args: "*" }
      : { source, tool: source.slice(0, colon), args: source.slice(colon + 1) };
  });
}
