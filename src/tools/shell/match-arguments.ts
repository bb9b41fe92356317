import type { ArgumentPatternVerdict, Tool } from "../../spec/tool.ts";
import { analyzeCommand, compileCommandPatterns } from "./command-policy.ts";
import { memoizeLookup, type ProgramLookup } from "./program-names.ts";

type Matcher = NonNullable<Tool["matchArguments"]>;

/**
 * `tool:argument-glob` approval patterns for a shell tool (`sh:git status*`), matched like the
 * tool's own rules: `any` (approval `deny`) like `deny` — a match on any program the command runs,
 * under any of its names, and `unverifiable` when the line cannot be checked; `every` (approval
 * `except`) like `allow` — each program must match some glob and no redirection may touch a file.
 */
export function argumentMatcher(shell: boolean, lookup: ProgramLookup): Matcher {
  const cache = new Map<string, ReturnType<typeof compileCommandPatterns>>();
  const patterns = (globs: readonly string[]) => {
    const key = JSON.stringify(globs);
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = compileCommandPatterns(globs);
      cache.set(key, compiled);
    }
    return compiled;
  };
  return (args, globs, mode): ArgumentPatternVerdict => {
    const command = args["command"];
    if (typeof command !== "string") return { kind: "unverifiable", reason: "the call has no command" };
    const memo = memoizeLookup(lookup);
    const analysis = analyzeCommand(command, shell, memo);
    if (!analysis.ok) return { kind: "unverifiable", reason: analysis.reason };
    const compiled = patterns(globs);
    if (mode === "any") {
      const hit = compiled.anyMatch(analysis.subjects, memo);
      return hit ? { kind: "match", glob: hit.glob } : { kind: "no_match" };
    }
    if (compiled.firstUnvouched(analysis.subjects, memo) !== undefined) return { kind: "no_match" };
    return { kind: "match", glob: globs[0] ?? "" };
  };
}
