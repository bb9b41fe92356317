import { describe, expect, test } from "bun:test";
import { cronTimes } from "../../src/schedule/cron-times.ts";
import type { FireRecord, FireStateStore } from "../../src/schedule/fire-state.ts";
import {
  type FireReason,
  MAX_TIMER_MS,
  type ScheduledJob,
  Scheduler,
  type SchedulerNotice,
} from "../../src/schedule/scheduler.ts";
import { deferred, FakeClock, settle } from "./fake-clock.ts";

const T0 = Date.parse("2025-03-10T12:00:00.000Z");
const MINUTE = 60_000;
const DAY = 86_400_000;

class MemoryStore implements FireStateStore {
  readonly records = new Map<string, FireRecord>();
  get(name: string) {
    return this.records.get(name);
  }
  set(name: string, record: FireRecord) {
    this.records.set(name, record);
  }
}

interface Fired {
  job: string;
  at: Date;
  reason: FireReason;
  signal: AbortSignal;
}

function setup(
  jobs: ScheduledJob[],
  options: { store?: MemoryStore; hold?: () => Promise<void>; start?: number } = {},
) {
  const clock = new FakeClock(options.start ?? T0);
  const store = options.store ?? new MemoryStore();
  const fired: Fired[] = [];
  const notices: SchedulerNotice[] = [];
  const scheduler = new Scheduler({
    jobs,
    clock,
    state: store,
    notice: (notice) => notices.push(notice),
    fire: async (job, at, reason, signal) => {
      fired.push({ job: job.name, at, reason, signal });
      await options.hold?.();
    },
  });
  return { clock, store, fired, notices, scheduler };
}

const everyMinute = (missed: ScheduledJob["missed"] = "skip"): ScheduledJob => ({
  name: "tick",
  times: cronTimes("* * * * *", "UTC"),
  missed,
});

describe("cronTimes", () => {
  test("computes the next fire time in the schedule's time zone, across DST", () => {
    const berlin = cronTimes("0 3 * * *", "Europe/Berlin");
    expect(berlin.next(new Date("2025-01-01T12:00:00Z"))?.toISOString()).toBe("2025-01-02T02:00:00.000Z");
    expect(berlin.next(new Date("2025-07-01T12:00:00Z"))?.toISOString()).toBe("2025-07-02T01:00:00.000Z");
    const ny = cronTimes("30 9 * * 1-5", "America/New_York");
    expect(ny.next(new Date("2025-03-07T15:00:00Z"))?.toISOString()).toBe("2025-03-10T13:30:00.000Z");
  });

  test("is strictly after the reference, so a fire time is never returned twice", () => {
    const times = cronTimes("*/5 * * * *", "UTC");
    expect(times.next(new Date("2025-01-01T00:05:00.000Z"))?.toISOString()).toBe("2025-01-01T00:10:00.000Z");
  });
});

describe("Scheduler", () => {
  test("arms the first fire time and fires exactly then", async () => {
    const { clock, fired, notices, scheduler, store } = setup([
      { name: "nightly", times: cronTimes("0 3 * * *", "Europe/Berlin"), missed: "skip" },
    ]);
    scheduler.start();
    const due = Date.parse("2025-03-11T02:00:00.000Z");
    expect(notices[0]).toEqual({ type: "next", job: "nightly", at: new Date(due) });
    expect(clock.delays).toEqual([due - T0]);
    await clock.advanceTo(due - 1);
    expect(fired).toHaveLength(0);
    await clock.advanceTo(due);
    expect(fired.map((f) => [f.job, f.at.getTime(), f.reason])).toEqual([["nightly", due, "cron"]]);
    expect(store.get("nightly")).toEqual({ checkedUntil: due, lastFire: due });
    expect(notices.at(-1)).toEqual({ type: "next", job: "nightly", at: new Date(due + DAY) });
  });

  test("skips a fire while the previous run of the same schedule is still going", async () => {
    const gate = deferred();
    const { clock, fired, notices, scheduler } = setup([everyMinute()], { hold: () => gate.promise });
    scheduler.start();
    await clock.advanceTo(T0 + MINUTE);
    await clock.advanceTo(T0 + 2 * MINUTE);
    expect(fired).toHaveLength(1);
    expect(notices).toContainEqual({ type: "overlap", job: "tick", at: new Date(T0 + 2 * MINUTE) });
    expect(scheduler.runningJobs()).toEqual(["tick"]);
    gate.resolve();
    await settle();
    expect(scheduler.runningJobs()).toEqual([]);
    await clock.advanceTo(T0 + 3 * MINUTE);
    expect(fired.map((f) => f.at.getTime())).toEqual([T0 + MINUTE, T0 + 3 * MINUTE]);
  });

  test("different schedules may run at the same time", async () => {
    const gate = deferred();
    const { clock, fired, notices, scheduler } = setup(
      [everyMinute(), { name: "other", times: cronTimes("* * * * *", "UTC"), missed: "skip" }],
      { hold: () => gate.promise },
    );
    scheduler.start();
    await clock.advanceTo(T0 + MINUTE);
    expect(fired.map((f) => f.job).sort()).toEqual(["other", "tick"]);
    expect(notices.some((n) => n.type === "overlap")).toBe(false);
    gate.resolve();
  });

  test("missed = run_once runs once at start when fire times passed while not running", async () => {
    const store = new MemoryStore();
    store.set("tick", { checkedUntil: T0 - 3 * DAY, lastFire: T0 - 3 * DAY });
    const { clock, fired, notices, scheduler } = setup([everyMinute("run_once")], { store });
    scheduler.start();
    await settle();
    expect(fired.map((f) => [f.at.getTime(), f.reason])).toEqual([[T0, "missed"]]);
    expect(notices[0]).toEqual({
      type: "missed",
      job: "tick",
      since: new Date(T0 - 3 * DAY),
      first: new Date(T0 - 3 * DAY + MINUTE),
      action: "run_once",
    });
    expect(store.get("tick")).toEqual({ checkedUntil: T0, lastFire: T0 });
    await clock.advanceTo(T0 + MINUTE);
    expect(fired.map((f) => f.reason)).toEqual(["missed", "cron"]);
  });

  test("missed = skip reports the missed runs and does not run them", async () => {
    const store = new MemoryStore();
    store.set("tick", { checkedUntil: T0 - DAY, lastFire: T0 - DAY });
    const { fired, notices, scheduler } = setup([everyMinute("skip")], { store });
    scheduler.start();
    await settle();
    expect(fired).toHaveLength(0);
    expect(notices[0]).toMatchObject({ type: "missed", action: "skip" });
    expect(store.get("tick")).toEqual({ checkedUntil: T0, lastFire: T0 - DAY });
  });

  test("nothing is missed on a first start or when no fire time passed", async () => {
    const store = new MemoryStore();
    store.set("daily", { checkedUntil: T0 - MINUTE });
    const { fired, notices, scheduler } = setup(
      [everyMinute("run_once"), { name: "daily", times: cronTimes("0 3 * * *", "UTC"), missed: "run_once" }],
      { store },
    );
    scheduler.start();
    await settle();
    expect(fired).toHaveLength(0);
    expect(notices.every((n) => n.type === "next")).toBe(true);
    expect(store.get("tick")).toEqual({ checkedUntil: T0 });
  });

  test("a clock jump over many fire times fires once, then continues from now", async () => {
    const { clock, fired, scheduler } = setup([everyMinute()]);
    scheduler.start();
    clock.jump(T0 + 90 * MINUTE + 30_000);
    await clock.advanceTo(T0 + 90 * MINUTE + 30_000);
    expect(fired.map((f) => f.at.getTime())).toEqual([T0 + MINUTE]);
    await clock.advanceTo(T0 + 91 * MINUTE);
    expect(fired.map((f) => f.at.getTime())).toEqual([T0 + MINUTE, T0 + 91 * MINUTE]);
  });

  test("waits longer than one timer allows by re-arming without firing early", async () => {
    const { clock, fired, scheduler } = setup([
      { name: "yearly", times: cronTimes("0 0 1 1 *", "UTC"), missed: "skip" },
    ]);
    scheduler.start();
    const due = Date.parse("2026-01-01T00:00:00.000Z");
    expect(clock.delays[0]).toBe(MAX_TIMER_MS);
    await clock.advanceTo(T0 + MAX_TIMER_MS);
    expect(fired).toHaveLength(0);
    expect(clock.pending()).toBe(1);
    await clock.advanceTo(due);
    expect(fired.map((f) => f.at.getTime())).toEqual([due]);
  });

  test("stop() cancels timers, aborts running fires and waits for them", async () => {
    let ended = false;
    const { clock, fired, scheduler } = setup([everyMinute()], {
      hold: () =>
        new Promise<void>((resolve) => {
          const signal = fired[0]?.signal;
          signal?.addEventListener("abort", () => {
            ended = true;
            resolve();
          });
        }),
    });
    scheduler.start();
    await clock.advanceTo(T0 + MINUTE);
    expect(fired[0]?.signal.aborted).toBe(false);
    const reason = new Error("stop");
    await scheduler.stop(reason);
    expect(fired[0]?.signal.reason).toBe(reason);
    expect(ended).toBe(true);
    expect(clock.pending()).toBe(0);
    await scheduler.done();
  });

  test("done() resolves when no schedule can fire again and nothing runs", async () => {
    let calls = 0;
    const once: ScheduledJob = {
      name: "once",
      times: { next: () => (calls++ === 0 ? new Date(T0 + MINUTE) : undefined) },
      missed: "skip",
    };
    const { clock, fired, notices, scheduler } = setup([once]);
    let finished = false;
    void scheduler.done().then(() => {
      finished = true;
    });
    scheduler.start();
    await clock.advanceTo(T0 + MINUTE);
    expect(fired).toHaveLength(1);
    expect(notices.at(-1)).toEqual({ type: "finished", job: "once" });
    expect(finished).toBe(true);
  });
});
