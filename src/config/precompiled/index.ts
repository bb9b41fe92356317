import type { Config } from "../schema.ts";
import { INVALID } from "./combinators.ts";
import { checkIncludedFile, checkMainFile, INCLUDED_FILE_KEYS } from "./generated-check.ts";

export { INCLUDED_FILE_KEYS };

/**
 * Start-up: building the zod configuration schema (≈ 150 objects) and loading zod cost about a
 * fifth of the CPU `agentry run` spends before its first request (docs/benchmarks/turns.md).
 * This check, generated from that schema (`generate.ts`), returns exactly what
 * `configSchema.safeParse(raw).data` (`includedFileSchema` for an included file) would return,
 * durations and sizes converted, or undefined when the file does not fit or the check cannot
 * be sure; the loader then runs zod, which words every issue as before. test/config/
 * precompiled-check.test.ts compares the two on every configuration of the repository and on
 * thousands of generated and mutated ones.
 */
export function precheckedConfig(raw: Record<string, unknown>, main: boolean): Config | undefined {
  try {
    const config = (main ? checkMainFile : checkIncludedFile)(raw);
    return config === INVALID ? undefined : (config as Config);
  } catch {
    // `Unsure`, or a stack overflow on absurdly deep flow steps: zod decides.
    return undefined;
  }
}
