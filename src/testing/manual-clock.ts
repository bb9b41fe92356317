import type { Clock } from "../spec/clock.ts";

/** A `Clock` moved by hand: timers and sleeps fire when `advance` passes their time. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due by then in order. */
  advance(ms: number): void;
  /** Timers and sleeps still pending. */
  pending(): number;
}

/**
 * A fake clock for tests: `now()` starts at 0 and `epochMs()` at `epoch` (default
 * 2026-01-01T00:00:00Z); nothing moves until `advance`. Pass it as a runtime's, a provider's or a
 * pipeline's `clock` to test timeouts, backoff, rate limits and schedules without sleeping.
 */
export function manualClock(epoch = Date.UTC(2026, 0, 1)): ManualClock {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const setTimer = (fn: () => void, ms: number): number => {
    seq += 1;
    timers.set(seq, { at: now + Math.max(0, ms), fn });
    return seq;
  };
  return {
    now: () => now,
    epochMs: () => epoch + now,
    setTimeout: setTimer,
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const id = setTimer(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        const onAbort = () => {
          timers.delete(id);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
    advance(ms) {
      const target = now + ms;
      while (true) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers)
          if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
      }
      now = target;
    },
    pending: () => timers.size,
  };
}
