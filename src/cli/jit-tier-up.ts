/** The part of `Bun.unsafe` this module uses. */
interface JitControl {
  setJITPolicy(scale: number): void;
}

/** Concurrent runs from which a command lets the JIT compilers tier up at their normal thresholds. */
export const TIER_UP_CONCURRENCY = 128;

/**
 * Benchmark-driven: the executable starts with JavaScriptCore's tier-up thresholds 64 times higher
 * (`compile.jitPolicy` in scripts/build.ts), so run-once start-up code stays interpreted. A command
 * that will run `concurrency` agents at once puts the thresholds back to normal when that is at
 * least TIER_UP_CONCURRENCY: measured on batches of 10 tool calls per agent, 500 agents spent
 * 2.5 → 1.8 s of CPU (the JIT thread +0.4 s, the main thread −1.1 s), while 50 agents and a
 * 1000-turn run spent the same CPU either way and peaked 5–8 MB higher (docs/BENCHMARKS.md).
 * Does nothing where the runtime has no such control (Node, or a Bun without it). `globals` is
 * `globalThis` except in tests.
 */
export function tierUpForConcurrency(concurrency: number, globals: object = globalThis): void {
  if (concurrency < TIER_UP_CONCURRENCY) return;
  const unsafe = (globals as { Bun?: { unsafe?: Partial<JitControl> } }).Bun?.unsafe;
  if (typeof unsafe?.setJITPolicy === "function") unsafe.setJITPolicy(1);
}
