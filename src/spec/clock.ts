/** A pending timer of a `Clock`; only the clock that made it knows what it is. */
export type TimerHandle = unknown;

/**
 * Time as agentry reads it: one interface for providers (backoff, request and stall timers),
 * middleware (tool timeout, approval timeout, rate limit, breaker), the runtime (run deadlines,
 * sub-agent timeouts, the grace of a stopped run) and schedules. Injected everywhere, so tests
 * run on a fake clock (`manualClock` in `agentry/testing`) and never sleep.
 */
export interface Clock {
  /** Monotonic milliseconds, for durations and deadlines. */
  now(): number;
  /** Milliseconds since the Unix epoch, for HTTP dates (`Retry-After`), cron times and timestamps. */
  epochMs(): number;
  /** Calls `fn` after about `ms`. The system clock's timers do not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
