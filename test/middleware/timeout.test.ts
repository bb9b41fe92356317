import { expect, test } from "bun:test";
import { timeout } from "../../src/middleware/timeout/index.ts";
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
  expect(result).toMatchObject({ ok: false, stoppedBy: "timeout" });
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
  expect(await pending).toEqual({ ok: false, output: "", error: "aborted: interrupted" });
  expect(clock.pending()).toBe(0);
  const fast = fakeTool("sh", async () => ({ ok: true, output: "done" }));
  expect(await timeout({ ms: 5000, clock })(fakeContext(clock), callOf(fast), runTool)).toEqual({
    ok: true,
    output: "done",
  });
  expect(clock.pending()).toBe(0);
});
