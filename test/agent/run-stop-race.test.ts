import { describe, expect, test } from "bun:test";
import { RUN_STOP_GRACE_MS, RunStopRace } from "../../src/agent/run-stop-race.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import type { ToolResult } from "../../src/spec/tool.ts";
import { manualClock } from "../../src/testing/manual-clock.ts";

/** A call that settles only when told to. */
function pendingCall() {
  let settle: (result: ToolResult) => void = () => {};
  const promise = new Promise<ToolResult>((resolve) => {
    settle = resolve;
  });
  return { promise, settle };
}

/** A run's signal that counts the abort listeners added to it. */
function countedRun() {
  const run = new AbortController();
  const signal = run.signal;
  const add = signal.addEventListener.bind(signal);
  const counted = { run, signal, listeners: 0 };
  signal.addEventListener = ((...args: Parameters<AbortSignal["addEventListener"]>) => {
    counted.listeners += 1;
    add(...args);
  }) as AbortSignal["addEventListener"];
  return counted;
}

const ok = (output: string): ToolResult => ({ ok: true, output });

describe("RunStopRace", () => {
  test("calls in flight when the run stops are abandoned one grace period later, with the run's reason", async () => {
    const clock = manualClock();
    const { run, signal } = countedRun();
    const race = new RunStopRace(signal, clock);
    const stuck = race.untilRunStops(pendingCall().promise);
    const alsoStuck = race.untilRunStops(pendingCall().promise);
    run.abort(new RunStop("interrupted"));
    clock.advance(RUN_STOP_GRACE_MS - 1);
    let settled = false;
    void stuck.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    for (const result of await Promise.all([stuck, alsoStuck])) {
      expect(result).toMatchObject({
        ok: false,
        error: `abandoned: the run stopped (interrupted) and the tool did not finish within ${RUN_STOP_GRACE_MS}ms of being cancelled`,
        stop: { reason: "cancelled", by: "run" },
      });
    }
  });

  test("a call that settles within the grace keeps its own result and leaves no timer behind", async () => {
    const clock = manualClock();
    const { run, signal } = countedRun();
    const race = new RunStopRace(signal, clock);
    const call = pendingCall();
    const raced = race.untilRunStops(call.promise);
    run.abort(new RunStop("timeout"));
    expect(clock.pending()).toBe(1);
    call.settle(ok("late but in time"));
    expect(await raced).toEqual(ok("late but in time"));
    expect(clock.pending()).toBe(0);
  });

  test("calls that settled before the stop are not abandoned; a call started after it gets its own grace", async () => {
    const clock = manualClock();
    const { run, signal } = countedRun();
    const race = new RunStopRace(signal, clock);
    expect(await race.untilRunStops(Promise.resolve(ok("done")))).toEqual(ok("done"));
    run.abort(new RunStop("cancelled"));
    expect(clock.pending()).toBe(0);
    clock.advance(5000);
    const late = race.untilRunStops(pendingCall().promise);
    clock.advance(RUN_STOP_GRACE_MS);
    expect(await late).toMatchObject({ ok: false, stop: { reason: "cancelled", by: "run" } });
  });

  test("a failing call rejects as it did", async () => {
    const race = new RunStopRace(new AbortController().signal, manualClock());
    await expect(race.untilRunStops(Promise.reject(new Error("tool bug")))).rejects.toThrow("tool bug");
  });

  test("listens to the run's signal once, however many calls the run makes", async () => {
    const clock = manualClock();
    const counted = countedRun();
    const race = new RunStopRace(counted.signal, clock);
    for (let i = 0; i < 5; i++) await race.untilRunStops(Promise.resolve(ok(`call ${i}`)));
    const stuck = race.untilRunStops(pendingCall().promise);
    expect(counted.listeners).toBe(1);
    counted.run.abort(new RunStop("interrupted"));
    clock.advance(RUN_STOP_GRACE_MS);
    expect(await stuck).toMatchObject({ ok: false, stop: { by: "run" } });
  });
});
