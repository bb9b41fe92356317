import { RedactPatternError } from "../errors.ts";
import { collect, type Detection, type Detector } from "./types.ts";

/**
 * Compiles `[policy.redact].patterns` (JavaScript regex syntax) into one detector of kind
 * `pattern`. Invalid patterns throw `RedactPatternError` naming the pattern. The patterns are the
 * user's own: one with nested quantifiers can still be slow on hostile input.
 */
export function compileUserPatterns(patterns: readonly string[]): Detector | undefined {
  if (patterns.length === 0) return undefined;
  const compiled = patterns.map((pattern) => {
    try {
      return new RegExp(pattern, "g");
    } catch (err) {
      throw new RedactPatternError(
        `invalid redact pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`,
        {
          pattern,
        },
      );
    }
  });
  return (text: string, out: Detection[]) => {
    for (const regex of compiled) collect(regex, text, out, "pattern");
  };
}
