import * as zodModule from "zod";

/**
 * The zod module, for code on `agentry run`'s path to its first model request: call `zod()` where
 * a schema is built or used, never at module load. In the library (and under `bun test`) this is
 * a plain import. The compiled CLI replaces this module with `on-first-use.ts` (scripts/build.ts),
 * which loads zod when `zod()` is first called: evaluating zod costs ≈ 3.5 ms of CPU that a run
 * would otherwise spend before its first request (docs/benchmarks/turns.md).
 */
export function zod(): typeof zodModule {
  return zodModule;
}
