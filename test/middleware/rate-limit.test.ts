import { expect, test } from "bun:test";
import { rateLimit } from "../../src/middleware/rate-limit/index.ts";
import { callOf, fakeContext, fakeTool, manualClock, runTool } from "./support.ts";

test("the agent bucket allows a burst, then refuses with a retry time, then refills", async () => {
  const clock = manualClock();
  const ctx = fakeContext(clock);
  const layer = rateLimit({ perMinute: 6, burst: 2 });
  const tool = fakeTool();
  expect((await layer(ctx, callOf(tool), runTool)).ok).toBe(true);
  expect((await layer(ctx, callOf(tool), runTool)).ok).toBe(true);
  const refused = await layer(ctx, callOf(tool), runTool);
  expect(refused).toMatchObject({ ok: false, stop: { by: "rate_limit" }, meta: { retry_after_ms: 10_000 } });
  expect(refused.error).toContain("retry in 10s");
  clock.advance(10_000);
  expect((await layer(ctx, callOf(tool), runTool)).ok).toBe(true);
  expect(tool.calls).toHaveLength(3);
});

test("per-tool buckets are independent of each other", async () => {
  const clock = manualClock();
  const ctx = fakeContext(clock);
  const layer = rateLimit({ perToolPerMinute: 1 });
  expect((await layer(ctx, callOf(fakeTool("a")), runTool)).ok).toBe(true);
  expect((await layer(ctx, callOf(fakeTool("b")), runTool)).ok).toBe(true);
  const refused = await layer(ctx, callOf(fakeTool("a")), runTool);
  expect(refused.error).toContain("1 a calls per minute");
});
