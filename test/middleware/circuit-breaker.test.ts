import { expect, test } from "bun:test";
import { circuitBreaker } from "../../src/middleware/circuit-breaker/index.ts";
import type { ToolResult } from "../../src/spec/tool.ts";
import { callOf, fakeContext, fakeTool, manualClock } from "./support.ts";

const fail = async (): Promise<ToolResult> => ({ ok: false, output: "", error: "503" });
const succeed = async (): Promise<ToolResult> => ({ ok: true, output: "" });

test("opens after N failures, refuses, half-opens after the cooldown, closes on success", async () => {
  const clock = manualClock();
  const ctx = fakeContext(clock);
  const layer = circuitBreaker({ failures: 2, cooldownMs: 30_000 });
  const tool = fakeTool("web");
  await layer(ctx, callOf(tool), fail);
  await layer(ctx, callOf(tool), fail);
  const refused = await layer(ctx, callOf(tool), succeed);
  expect(refused).toMatchObject({ ok: false, stop: { by: "circuit_breaker" }, meta: { circuit: "open" } });
  expect(refused.error).toContain("retry in 30s");
  expect((await layer(ctx, callOf(fakeTool("other")), succeed)).ok).toBe(true);
  clock.advance(30_000);
  let release: (r: ToolResult) => void = () => {};
  const trial = layer(ctx, callOf(tool), () => new Promise((resolve) => (release = resolve)));
  const during = await layer(ctx, callOf(tool), succeed);
  expect(during.error).toContain("a trial call is in progress");
  release({ ok: true, output: "" });
  expect((await trial).ok).toBe(true);
  expect((await layer(ctx, callOf(tool), succeed)).ok).toBe(true);
});

test("a failed trial reopens; refusals from layers above never count", async () => {
  const clock = manualClock();
  const ctx = fakeContext(clock);
  const layer = circuitBreaker({ failures: 1, cooldownMs: 1000 });
  const tool = fakeTool("web");
  for (let i = 0; i < 3; i++) {
    await layer(ctx, callOf(tool), async () => ({
      ok: false,
      output: "",
      error: "no",
      stop: { reason: "rate_limit", by: "rate_limit" },
    }));
  }
  expect((await layer(ctx, callOf(tool), succeed)).ok).toBe(true);
  await layer(ctx, callOf(tool), fail);
  clock.advance(1000);
  await layer(ctx, callOf(tool), fail);
  expect((await layer(ctx, callOf(tool), succeed)).stop?.by).toBe("circuit_breaker");
  clock.advance(999);
  expect((await layer(ctx, callOf(tool), succeed)).stop?.by).toBe("circuit_breaker");
  clock.advance(1);
  expect((await layer(ctx, callOf(tool), succeed)).ok).toBe(true);
});

test("a trial call cancelled before it settles reopens the circuit: a tool that never settles cannot hold it half-open", async () => {
  const clock = manualClock();
  const ctx = fakeContext(clock);
  const layer = circuitBreaker({ failures: 1, cooldownMs: 1000 });
  const tool = fakeTool("web");
  await layer(ctx, callOf(tool), fail);
  clock.advance(1000);
  const cancel = new AbortController();
  void layer(ctx, { ...callOf(tool), signal: cancel.signal }, () => new Promise<ToolResult>(() => {}));
  expect((await layer(ctx, callOf(tool), succeed)).error).toContain("a trial call is in progress");
  cancel.abort();
  const refused = await layer(ctx, callOf(tool), succeed);
  expect(refused).toMatchObject({ stop: { by: "circuit_breaker" }, meta: { circuit: "open" } });
  expect(refused.error).toContain("retry in 1s");
  clock.advance(1000);
  expect((await layer(ctx, callOf(tool), succeed)).ok).toBe(true);
  expect((await layer(ctx, callOf(tool), succeed)).ok).toBe(true);
});
