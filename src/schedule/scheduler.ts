import type { Clock, TimerHandle } from "../spec/clock.ts";
import type { CronTimes } from "./cron-times.ts";
import type { FireStateStore } from "./fire-state.ts";

/**
 * The part of the one `Clock` (src/spec/clock.ts) the scheduler uses: wall-clock time and
 * timers; injected so tests drive the scheduler without sleeping.
 */
export type ScheduleClock = Pick<Clock, "epochMs" | "setTimeout" | "clearTimeout">;

/** One schedule as the scheduler sees it. */
export interface ScheduledJob {
  name: string;
  times: CronTimes;
  /** Runs missed while agentry was not running: `skip` them, or `run_once` at start. */
  missed: "skip" | "run_once";
}

/** Why a job fires: its cron time came, or it catches up on missed runs at start. */
export type FireReason = "cron" | "missed";

/** What the scheduler reports for progress output. */
export type SchedulerNotice =
  | { type: "next"; job: string; at: Date }
  | { type: "overlap"; job: string; at: Date }
  | { type: "missed"; job: string; since: Date; first: Date; action: "skip" | "run_once" }
  | { type: "finished"; job: string };

/** What the scheduler needs from its host. */
export interface SchedulerOptions {
  jobs: ScheduledJob[];
  clock: ScheduleClock;
  state: FireStateStore;
  /** Runs one fire of a job to completion; never rejects (failures are the host's to report). */
  fire(job: ScheduledJob, at: Date, reason: FireReason, signal: AbortSignal): Promise<void>;
  notice(notice: SchedulerNotice): void;
}

/** Longest single timer; longer waits re-arm (setTimeout overflows past 2^31-1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Fires cron jobs on time. A job whose previous fire is still running when its next time comes
 * skips that fire (an `overlap` notice) — one schedule never runs twice at once. Fire times are
 * recorded in the state store so that, on the next start, times missed while agentry was not
 * running are detected and either skipped or caught up with a single run (`missed`). When the
 * clock jumps past several fire times (sleep, suspend), only one fire happens.
 */
export class Scheduler {
  private readonly controller = new AbortController();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  private settle: (() => void) | undefined;
  private readonly settled = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly options: SchedulerOptions) {}

  /** Catches up on missed runs per policy, then arms every job's next fire time. */
  start(): void {
    const now = this.options.clock.epochMs();
    for (const job of this.options.jobs) {
      const record = this.options.state.get(job.name);
      const first = record ? job.times.next(new Date(record.checkedUntil)) : undefined;
      const wasMissed = record !== undefined && first !== undefined && first.getTime() <= now;
      this.options.state.set(job.name, {
        checkedUntil: now,
        ...(wasMissed && job.missed === "run_once"
          ? { lastFire: now }
          : record?.lastFire !== undefined
            ? { lastFire: record.lastFire }
            : {}),
      });
      if (wasMissed && record && first) {
        this.options.notice({
          type: "missed",
          job: job.name,
          since: new Date(record.checkedUntil),
          first,
          action: job.missed,
        });
        if (job.missed === "run_once") this.launch(job, new Date(now), "missed");
      }
      this.arm(job, now);
    }
    this.checkSettled();
  }

  /** Resolves once no job will fire again and nothing runs, or after `stop()` finished. */
  done(): Promise<void> {
    return this.settled;
  }

  /** Cancels every timer, aborts running fires with `reason` and waits for them to wind down. */
  async stop(reason?: unknown): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) this.options.clock.clearTimeout(timer);
    this.timers.clear();
    this.controller.abort(reason);
    await Promise.all(this.running.values());
    this.settle?.();
  }

  /** Names of the jobs whose fire is running now. */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  private arm(job: ScheduledJob, after: number): void {
    const due = job.times.next(new Date(after));
    if (!due) {
      this.timers.delete(job.name);
      this.options.notice({ type: "finished", job: job.name });
      return;
    }
    this.options.notice({ type: "next", job: job.name, at: due });
    this.wait(job, due.getTime());
  }

  private wait(job: ScheduledJob, due: number): void {
    const delay = Math.min(Math.max(due - this.options.clock.epochMs(), 0), MAX_TIMER_MS);
    this.timers.set(
      job.name,
      this.options.clock.setTimeout(() => this.onTimer(job, due), delay),
    );
  }

  private onTimer(job: ScheduledJob, due: number): void {
    if (this.stopped) return;
    const now = this.options.clock.epochMs();
    if (now < due) {
      this.wait(job, due);
      return;
    }
    const previous = this.options.state.get(job.name);
    const overlapping = this.running.has(job.name);
    this.options.state.set(job.name, {
      checkedUntil: due,
      ...(overlapping
        ? previous?.lastFire !== undefined
          ? { lastFire: previous.lastFire }
          : {}
        : { lastFire: due }),
    });
    if (overlapping) this.options.notice({ type: "overlap", job: job.name, at: new Date(due) });
    else this.launch(job, new Date(due), "cron");
    this.arm(job, Math.max(due, now));
    this.checkSettled();
  }

  private launch(job: ScheduledJob, at: Date, reason: FireReason): void {
    const run = this.options
      .fire(job, at, reason, this.controller.signal)
      .catch(() => {})
      .finally(() => {
        this.running.delete(job.name);
        this.checkSettled();
      });
    this.running.set(job.name, run);
  }

  private checkSettled(): void {
    if (!this.stopped && this.timers.size === 0 && this.running.size === 0) this.settle?.();
  }
}
