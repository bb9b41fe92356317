import type { ScheduleClock } from "../../src/schedule/scheduler.ts";

interface PendingTimer {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/** A manual clock: timers fire only when a test advances time. */
export class FakeClock implements ScheduleClock {
  private timers: PendingTimer[] = [];
  /** Every delay passed to `setTimeout`, in order. */
  readonly delays: number[] = [];

  constructor(private current: number) {}

  epochMs(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): PendingTimer {
    const timer = { at: this.current + ms, callback, cancelled: false };
    this.delays.push(ms);
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    (handle as PendingTimer).cancelled = true;
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time to `target`, firing due timers in order and letting promise callbacks run after each. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.cancelled = true;
      due.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Jumps the wall clock without firing anything (a suspended laptop waking up). */
  jump(target: number): void {
    this.current = target;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A promise with its resolve function, to hold a fire "running" as long as a test wants. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
