/** Agents in flight (top-level runs and sub-agents) from which the pacer collects garbage. */
export const PACED_RUNS = 32;

/**
 * Keeps the heap of many concurrent agents close to what they actually hold. JavaScriptCore sizes
 * its collection thresholds from the machine's RAM, so with many agents in flight (a batch, or a
 * flow fanning out) the garbage of their turns piles up between collections, and the more so the
 * busier the CPU. While at least `threshold` agent loops are running, the pacer runs one full
 * collection after about one model request per agent, so the garbage between collections stays
 * proportional to the agents and independent of the machine's speed. Measured on batches with 10 tool calls per agent (docs/BENCHMARKS.md):
 * 500 agents peak about 35 MB lower for about 6 % more CPU, 50 agents about 4 MB lower; wall time
 * unchanged. Without a collector (Node without `--expose-gc`) the pacer does nothing.
 */
export class HeapPacer {
  private active = 0;
  private requests = 0;

  constructor(
    private readonly threshold: number,
    private readonly collect: (() => void) | undefined,
  ) {}

  /** An agent loop started. */
  enter(): void {
    this.active += 1;
  }

  /** An agent loop ended. */
  leave(): void {
    this.active -= 1;
  }

  /** A model request is about to be sent. */
  tick(): void {
    if (!this.collect || this.active < this.threshold) return;
    this.requests += 1;
    if (this.requests >= this.active) {
      this.requests = 0;
      this.collect();
    }
  }
}

/**
 * The runtime's full collection: `Bun.gc(true)`, or `global.gc()` where Node exposes it
 * (`--expose-gc`); undefined elsewhere. `globals` is `globalThis` except in tests.
 */
export function collectorOfRuntime(globals: object = globalThis): (() => void) | undefined {
  const bun = (globals as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return () => bun.gc(true);
  const exposed = (globals as { gc?: () => void }).gc;
  return typeof exposed === "function" ? () => exposed() : undefined;
}

/**
 * The collector of a runtime's `collectGarbage` option: none unless asked for (library hosts),
 * the runtime's own for `true` (the CLI), or the host's function.
 */
export function collectorFor(option: (() => void) | boolean | undefined): (() => void) | undefined {
  if (typeof option === "function") return option;
  return option === true ? collectorOfRuntime() : undefined;
}
