import type { UsageTotals } from "../spec/events.ts";
import type { Usage } from "../spec/model.ts";

/** Limits checked after each model response (SPEC §12: the run stops after the first response that crosses one). */
export interface Budget {
  usd?: number;
  tokens?: number;
}

/** Accumulates token usage and cost across the turns of one run and tells when a budget is crossed. */
export class UsageMeter {
  inputTokens = 0;
  outputTokens = 0;
  costUsd = 0;

  constructor(private readonly budget: Budget = {}) {}

  /**
   * Adds one response's usage and its cost. A figure that is negative or not a number counts as
   * zero: whatever a provider, a cassette or a library host's model reports, a response can only
   * bring the budget closer, never take back what was spent (an infinite one crosses it).
   */
  add(usage: Usage, costUsd: number): void {
    this.inputTokens += spent(usage.inputTokens);
    this.outputTokens += spent(usage.outputTokens);
    this.costUsd += spent(costUsd);
  }

  /** Adds what `totals()` reported earlier (a resumed run's usage so far), as `add` does. */
  addTotals(totals: UsageTotals): void {
    this.add({ inputTokens: totals.input_tokens, outputTokens: totals.output_tokens }, totals.cost_usd);
  }

  /** Which limit is crossed, if any. */
  exceeded(): "usd" | "tokens" | undefined {
    if (this.budget.usd !== undefined && this.costUsd >= this.budget.usd) return "usd";
    if (this.budget.tokens !== undefined && this.inputTokens + this.outputTokens >= this.budget.tokens)
      return "tokens";
    return undefined;
  }

  /** What is left of the budget, for a sub-agent's share; empty when unlimited. */
  remaining(): Budget {
    const left: Budget = {};
    if (this.budget.usd !== undefined) left.usd = Math.max(0, this.budget.usd - this.costUsd);
    if (this.budget.tokens !== undefined) {
      left.tokens = Math.max(0, this.budget.tokens - this.inputTokens - this.outputTokens);
    }
    return left;
  }

  totals(): UsageTotals {
    return {
      input_tokens: this.inputTokens,
      output_tokens: this.outputTokens,
      cost_usd: roundUsd(this.costUsd),
    };
  }
}

/** `value` when it is more than zero (`Infinity` included), else 0 (negative numbers, NaN). */
function spent(value: number): number {
  return value > 0 ? value : 0;
}

/** Rounds to a millionth of a dollar so sums print without float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
