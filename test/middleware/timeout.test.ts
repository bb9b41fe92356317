import { expect, test } from "bun:test";
import { CANCEL_GRACE_MS, timeout } from "../../src/middleware/timeout/index.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import type { ToolResult } from "../../src/spec/tool.ts";
import { callOf, fakeContext, fakeTool, manualClock, runTool } from "./support.ts";

test("a call past the limit is aborted and answered with a timeout error", async () => {
  const clock = manualClock();
  let seen: AbortSignal | undefined;
  const tool = fakeTool("sh", (_args, ctx) => {
    seen = ctx.signal;
    return new Promise(() => {});
  });
  const ctx = fakeContext(clock);
  const pending = timeout({ ms: 5000, clock })(ctx, callOf(tool), runTool);
  clock.advance(4999);
  expect(seen?.aborted).toBe(false);
  clock.advance(1);
  const result = await pending;
  expect(result).toMatchObject({ ok: false, stop: { by: "timeout" } });
  expect(result.error).toContain("timed out after 5s");
  expect(seen?.aborted).toBe(true);
  expect(ctx.events[0]).toMatchObject({ type: "warning" });
});

test("a fast call clears its timer; the run's signal reaches the tool while it runs", async () => {
  const clock = manualClock();
  const run = new AbortController();
  const tool = fakeTool("sh", (_args, ctx) => {
    const signal = ctx.signal;
    return new Promise((resolve) => {
      signal.addEventListener("abort", () =>
        resolve({ ok: false, output: "", error: `aborted: ${String(signal.reason)}` }),
      );
    });
  });
  const call = { ...callOf(tool), signal: run.signal };
  const pending = timeout({ ms: 5000, clock })(fakeContext(clock), call, runTool);
  run.abort("interrupted");
  expect(await pending).toEqual({
    ok: false,
    output: "",
    error: "aborted: interrupted",
    stop: { reason: "cancelled", by: "run" },
  });
  expect(clock.pending()).toBe(0);
  const fast = fakeTool("sh", async () => ({ ok: true, output: "done" }));
  expect(await timeout({ ms: 5000, clock })(fakeContext(clock), callOf(fast), runTool)).toEqual({
    ok: true,
    output: "done",
  });
  expect(clock.pending()).toBe(0);
});

test("calls in flight share one timer and each times out at its own deadline", async () => {
  const clock = manualClock();
  const hang = fakeTool("sh", () => new Promise(() => {}));
  const fast = fakeTool("sh", async () => ({ ok: true, output: "done" }));
  const layer = timeout({ ms: 5000, clock });
  const ctx = fakeContext(clock);
  const settled: string[] = [];
  const first = layer(ctx, callOf(hang, {}, "a"), runTool).then((r) => settled.push(`a:${r.stop?.by}`));
  clock.advance(1000);
  const second = layer(ctx, callOf(hang, {}, "b"), runTool).then((r) => settled.push(`b:${r.stop?.by}`));
  expect(await layer(ctx, callOf(fast), runTool)).toEqual({ ok: true, output: "done" });
  expect(clock.pending()).toBe(1);
  clock.advance(4000);
  await first;
  expect(settled).toEqual(["a:timeout"]);
  clock.advance(999);
  await Promise.resolve();
  expect(settled).toEqual(["a:timeout"]);
  clock.advance(1);
  await second;
  expect(settled).toEqual(["a:timeout", "b:timeout"]);
  expect(clock.pending()).toBe(0);
  expect(ctx.events.map((event) => event.type)).toEqual(["warning", "warning"]);
});

test("one abort of the run's signal reaches every call in flight, and a finished call is let go", async () => {
  const clock = manualClock();
  const run = new AbortController();
  const seen: AbortSignal[] = [];
  const waits = fakeTool("sh", (_args, ctx) => {
    seen.push(ctx.signal);
    const aborted: ToolResult = { ok: false, output: "", error: "aborted" };
    if (ctx.signal.aborted) return Promise.resolve(aborted);
    return new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(aborted)));
  });
  const layer = timeout({ ms: 5000, clock });
  const done = await layer(fakeContext(clock), { ...callOf(fakeTool("sh")), signal: run.signal }, runTool);
  expect(done.ok).toBe(true);
  const pending = [1, 2].map(() =>
    layer(fakeContext(clock), { ...callOf(waits), signal: run.signal }, runTool),
  );
  run.abort("stop");
  const cancelled: ToolResult = {
    ok: false,
    output: "",
    error: "aborted",
    stop: { reason: "cancelled", by: "run" },
  };
  expect(await Promise.all(pending)).toEqual([cancelled, cancelled]);
  expect(seen.map((signal) => signal.reason)).toEqual(["stop", "stop"]);
  const late = await layer(fakeContext(clock), { ...callOf(waits), signal: run.signal }, runTool);
  expect(late).toEqual(cancelled);
  expect(seen.map((signal) => signal.reason)).toEqual(["stop", "stop", "stop"]);
  expect(clock.pending()).toBe(0);
});

test("a call still running a grace period after it was cancelled is abandoned, also without a deadline", async () => {
  for (const ms of [5000, 0]) {
    const clock = manualClock();
    const run = new AbortController();
    const ignores = fakeTool("sh", () => new Promise<ToolResult>(() => {}));
    const pending = timeout({ ms, clock })(
      fakeContext(clock),
      { ...callOf(ignores), signal: run.signal },
      runTool,
    );
    run.abort(new RunStop("interrupted", "Ctrl-C"));
    clock.advance(CANCEL_GRACE_MS - 1);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await pending).toEqual({
      ok: false,
      output: "",
      error: `abandoned: the run stopped (interrupted) and the tool did not finish within ${CANCEL_GRACE_MS}ms of being cancelled`,
      stop: { reason: "cancelled", by: "run" },
    });
    expect(clock.pending()).toBe(0);
  }
});

/**
 * A call without a deadline whose tool answers when the test calls `wind`; `run` is the signal
 * it was given, `pending` its result through the layer.
 */
function windingCall() {
  const clock = manualClock();
  const run = new AbortController();
  let wind: (result: ToolResult) => void = () => {};
  const slow = fakeTool("sh", () => new Promise<ToolResult>((resolve) => (wind = resolve)));
  const pending = timeout({ ms: 0, clock })(
    fakeContext(clock),
    { ...callOf(slow), signal: run.signal },
    runTool,
  );
  return { clock, run, pending, wind: (result: ToolResult) => wind(result) };
}

test("a cancelled call that winds down within the grace keeps its own error, marked as stopped by the run, and leaves no timer", async () => {
  const { clock, run, pending, wind } = windingCall();
  run.abort(new RunStop("cancelled", "hard (call c1) failed"));
  clock.advance(CANCEL_GRACE_MS - 1);
  wind({ ok: false, output: "", error: "stopped" });
  // The run or turn ended it: failure limits and the breaker do not count it as the tool's failure.
  expect(await pending).toEqual({
    ok: false,
    output: "",
    error: "stopped",
    stop: { reason: "cancelled", by: "run" },
  });
  expect(clock.pending()).toBe(0);
});

test("after a cancellation a success stays a success and a stop of the tool's own is kept", async () => {
  const outcomes: ToolResult[] = [
    { ok: true, output: "done anyway" },
    { ok: false, output: "", error: "refused", stop: { reason: "tool_policy", by: "tool_policy" } },
  ];
  for (const outcome of outcomes) {
    const { run, pending, wind } = windingCall();
    run.abort(new RunStop("interrupted", "Ctrl-C"));
    wind(outcome);
    expect(await pending).toEqual(outcome);
  }
});

test("a failure that came before any cancellation stays the tool's own", async () => {
  const clock = manualClock();
  const run = new AbortController();
  const fails = fakeTool("sh", async () => ({ ok: false, output: "", error: "exit 3" }));
  const result = await timeout({ ms: 0, clock })(
    fakeContext(clock),
    { ...callOf(fails), signal: run.signal },
    runTool,
  );
  expect(result).toEqual({ ok: false, output: "", error: "exit 3" });
});
