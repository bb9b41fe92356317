/** The part of `Bun.unsafe` this module uses. */
interface JitControl {
  setJITPolicy(scale: number): void;
}

/**
 * Benchmark-driven: the executable starts with JavaScriptCore's tier-up thresholds 64 times higher
 * (`compile.jitPolicy` in scripts/build.ts), so run-once start-up code stays interpreted. Once a
 * command has its runtime, start-up is over, and what follows (model streams, tool calls, the
 * pipeline, hundreds of agents in a batch) is the code the JIT compilers pay off for; this puts the
 * thresholds back to normal. Measured on a batch of 500 agents × 10 tool calls: main-thread CPU
 * 2.3–2.9 s → 1.6–1.7 s, the JIT thread +0.4 s (docs/BENCHMARKS.md). Does nothing where the
 * runtime has no such control (Node, or a Bun without it). `globals` is `globalThis` except in tests.
 */
export function tierUpNormally(globals: object = globalThis): void {
  const unsafe = (globals as { Bun?: { unsafe?: Partial<JitControl> } }).Bun?.unsafe;
  if (typeof unsafe?.setJITPolicy === "function") unsafe.setJITPolicy(1);
}
