import type { LoadedConfig } from "../config/loader.ts";
import { createRuntime, type Runtime, type RuntimeOptions } from "../runtime/runtime.ts";
import { tierUpForConcurrency } from "./jit-tier-up.ts";

/**
 * The runtime of a CLI command. Unlike a library host's, it paces garbage collection while many
 * agents run (`collectGarbage`, src/runtime/heap-pacer.ts), and a command about to run
 * `concurrency` agents at once lets the JIT compilers tier up at their normal thresholds when
 * that many pay for it (jit-tier-up.ts).
 */
export function createCliRuntime(
  loaded: LoadedConfig,
  options: Omit<RuntimeOptions, "collectGarbage"> = {},
  concurrency = 1,
): Runtime {
  const runtime = createRuntime(loaded, { ...options, collectGarbage: true });
  tierUpForConcurrency(concurrency);
  return runtime;
}
