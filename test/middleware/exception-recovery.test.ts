import { expect, test } from "bun:test";
import { exceptionRecovery } from "../../src/middleware/exception-recovery/index.ts";
import { callOf, fakeContext, fakeTool, runTool } from "./support.ts";

test("a throw below becomes a tool error with an error event", async () => {
  const ctx = fakeContext();
  const result = await exceptionRecovery()(ctx, callOf(fakeTool(), {}, "c9"), async () => {
    throw new TypeError("kaput");
  });
  expect(result).toMatchObject({ ok: false, output: "", stop: { by: "exception" } });
  expect(result.error).toContain("TypeError: kaput");
  expect(ctx.events).toHaveLength(1);
  expect(ctx.events[0]).toMatchObject({
    type: "error",
    error: { name: "TypeError", data: { call_id: "c9" } },
  });
});

test("results pass through untouched", async () => {
  const ctx = fakeContext();
  const result = await exceptionRecovery()(ctx, callOf(fakeTool(), { a: 1 }), runTool);
  expect(result).toEqual({ ok: true, output: '{"a":1}' });
  expect(ctx.events).toHaveLength(0);
});

test("a next that throws synchronously is recovered like a rejection", async () => {
  const ctx = fakeContext();
  const result = await exceptionRecovery()(ctx, callOf(fakeTool(), {}, "c8"), () => {
    throw new RangeError("sync");
  });
  expect(result).toMatchObject({ ok: false, output: "", stop: { by: "exception" } });
  expect(result.error).toContain("RangeError: sync");
  expect(ctx.events).toHaveLength(1);
});
