import type { PipelineCall } from "../../spec/middleware.ts";
import { type CallPattern, globMatch, patternsFor } from "../glob.ts";
import { primaryArgument } from "../primary-argument.ts";

/** How `tool:argglob` patterns judged a call: matched by a pattern, unverifiable, or not matched. */
export type CallPatternVerdict =
  | { kind: "match"; pattern: CallPattern }
  | { kind: "unverifiable"; pattern: CallPattern; reason: string }
  | undefined;

/**
 * Applies approval patterns to a call. A pattern without argument glob (or with `*`) matches every
 * call of its tools. Otherwise a tool that knows what its calls run (the shell tool) matches the
 * globs itself — `any` for `deny` (some program matches), `every` for `except` (all programs
 * match) — and the others match the call's primary argument text.
 */
export function judgeCall(
  patterns: readonly CallPattern[],
  call: PipelineCall,
  mode: "any" | "every",
): CallPatternVerdict {
  const forTool = patternsFor(patterns, call.name);
  const first = forTool[0];
  if (first === undefined) return undefined;
  const whole = forTool.find((pattern) => pattern.args === "*");
  if (whole) return { kind: "match", pattern: whole };
  const matcher = call.tool.matchArguments;
  if (!matcher) {
    const text = primaryArgument(call.args);
    const hit = forTool.find((pattern) => globMatch(pattern.args, text));
    return hit ? { kind: "match", pattern: hit } : undefined;
  }
  const verdict = matcher(
    call.args,
    forTool.map((pattern) => pattern.args),
    mode,
  );
  switch (verdict.kind) {
    case "match":
      return { kind: "match", pattern: forTool.find((pattern) => pattern.args === verdict.glob) ?? first };
    case "unverifiable":
      return { kind: "unverifiable", pattern: first, reason: verdict.reason };
    case "no_match":
      return undefined;
    default: {
      const unreachable: never = verdict;
      return unreachable;
    }
  }
}
