import type { Middleware } from "../../spec/middleware.ts";
import { isToolFailure, STOPS } from "../layer-names.ts";
import { refused } from "../refusal.ts";

export interface CircuitBreakerOptions {
  /** Consecutive failures of one tool that open its circuit (`breaker.failures`). */
  failures: number;
  /** How long an open circuit refuses calls before one trial call (`breaker.cooldown`, ms). */
  cooldownMs: number;
  now?: () => number;
}

/** The state of one tool's circuit. */
export type CircuitState = "closed" | "open" | "half-open";

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
}

/**
 * Layer 11, per tool: closed → open after `failures` consecutive tool failures → half-open after
 * `cooldownMs` (exactly one trial call; others are refused meanwhile) → closed on success, open
 * again on failure, or when the trial call is cancelled before it settles. Only the tool's own
 * failures count: refusals by layers above never reach it. An open circuit refuses at once with
 * `stop.by: "circuit_breaker"`.
 */
export function circuitBreaker(options: CircuitBreakerOptions): Middleware {
  const circuits = new Map<string, Circuit>();
  const settle = (circuit: Circuit, failed: boolean, now: () => number) => {
    if (!failed) {
      circuit.state = "closed";
      circuit.failures = 0;
      return;
    }
    circuit.failures += 1;
    if (circuit.state === "half-open" || circuit.failures >= options.failures) {
      circuit.state = "open";
      circuit.openedAt = now();
    }
  };
  return (ctx, call, next) => {
    const now = options.now ?? ctx.now;
    const known = circuits.get(call.name);
    const circuit: Circuit = known ?? { state: "closed", failures: 0, openedAt: 0 };
    if (!known) circuits.set(call.name, circuit);
    if (circuit.state !== "closed") {
      const wait = circuit.openedAt + options.cooldownMs - now();
      if (circuit.state === "half-open" || wait > 0) {
        const retry =
          circuit.state === "half-open"
            ? "a trial call is in progress"
            : `retry in ${Math.ceil(wait / 1000)}s`;
        return refused(
          ctx,
          call,
          STOPS.breaker,
          `${call.name} is temporarily disabled after ${circuit.failures} consecutive failures (circuit open); ${retry}, or use another approach`,
          { meta: { circuit: circuit.state, retry_after_ms: Math.max(0, wait) } },
        );
      }
      circuit.state = "half-open";
      // A trial whose call is cancelled (its run stopped, its tool timed out) counts as failed at
      // once: a tool that never settles would otherwise hold the circuit half-open, refusing every
      // later call of the tool for the life of the process.
      const trialCancelled = () => {
        if (circuit.state === "half-open") settle(circuit, true, now);
      };
      if (call.signal.aborted) trialCancelled();
      else call.signal.addEventListener("abort", trialCancelled, { once: true });
    }
    return next(call).then(
      (result) => {
        settle(circuit, isToolFailure(result), now);
        return result;
      },
      (err: unknown) => {
        settle(circuit, true, now);
        throw err;
      },
    );
  };
}
