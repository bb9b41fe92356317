import type { LoadedConfig } from "../config/loader.ts";
import { createRuntime, type Runtime, type RuntimeOptions } from "../runtime/runtime.ts";
import { tierUpNormally } from "./jit-tier-up.ts";

/**
 * The runtime of a CLI command. Unlike a library host's, it paces garbage collection while many
 * agents run (`collectGarbage`, src/runtime/heap-pacer.ts) and, start-up being over once it
 * exists, lets the JIT compilers tier up at their normal thresholds (jit-tier-up.ts).
 */
export function createCliRuntime(
  loaded: LoadedConfig,
  options: Omit<RuntimeOptions, "collectGarbage"> = {},
): Runtime {
  const runtime = createRuntime(loaded, { ...options, collectGarbage: true });
  tierUpNormally();
  return runtime;
}
