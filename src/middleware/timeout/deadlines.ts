import type { PipelineClock } from "../clock.ts";

/** One armed deadline; `cancel` it when the call finishes first. */
export interface Deadline {
  cancel(): void;
}

/** Arms deadlines of one fixed duration; `expire` runs once the duration has passed, unless cancelled. */
export interface Deadlines {
  start(expire: () => void): Deadline;
}

type TimerClock = Pick<PipelineClock, "setTimeout" | "clearTimeout"> & { now?: () => number };

/**
 * Deadlines of `ms` on `clock`. With a clock that has `now`, all in-flight calls share one timer:
 * every deadline is `now + ms`, so they expire in the order they were armed and a queue in that
 * order, with one timer set for its head, replaces a `setTimeout`/`clearTimeout` pair per call.
 * When `keepIdleTimer` is true (the real, unref'd clock) the timer is left armed when no call is in
 * flight, so back-to-back calls arm no timer at all; otherwise it is cleared as the last call ends.
 * A clock without `now` gets one timer per call.
 */
export function createDeadlines(clock: TimerClock, ms: number, keepIdleTimer: boolean): Deadlines {
  const now = clock.now?.bind(clock);
  if (!now) {
    return {
      start(expire) {
        const handle = clock.setTimeout(expire, ms);
        return { cancel: () => clock.clearTimeout(handle) };
      },
    };
  }
  return new DeadlineQueue(clock, now, ms, keepIdleTimer);
}

class Entry implements Deadline {
  constructor(
    private readonly queue: DeadlineQueue,
    readonly at: number,
    readonly expire: () => void,
  ) {}

  cancel(): void {
    this.queue.remove(this);
  }
}

class DeadlineQueue implements Deadlines {
  private readonly entries = new Set<Entry>();
  private timer: unknown;
  private armed = false;
  private readonly fire = () => {
    this.armed = false;
    const current = this.now();
    for (const entry of this.entries) {
      if (entry.at > current) {
        this.arm(entry.at - current);
        return;
      }
      this.entries.delete(entry);
      entry.expire();
    }
  };

  constructor(
    private readonly clock: TimerClock,
    private readonly now: () => number,
    private readonly ms: number,
    private readonly keepIdleTimer: boolean,
  ) {}

  start(expire: () => void): Deadline {
    const entry = new Entry(this, this.now() + this.ms, expire);
    this.entries.add(entry);
    if (!this.armed) this.arm(this.ms);
    return entry;
  }

  remove(entry: Entry): void {
    if (!this.entries.delete(entry)) return;
    if (this.entries.size === 0 && this.armed && !this.keepIdleTimer) {
      this.clock.clearTimeout(this.timer);
      this.armed = false;
    }
  }

  private arm(delay: number): void {
    if (this.armed) this.clock.clearTimeout(this.timer);
    this.armed = true;
    this.timer = this.clock.setTimeout(this.fire, delay);
  }
}
