import { expect, test } from "bun:test";
import { failureLimits } from "../../src/middleware/failure-limits/index.ts";
import type { ToolResult } from "../../src/spec/tool.ts";
import { callOf, fakeContext, fakeTool } from "./support.ts";

const fail = async (): Promise<ToolResult> => ({ ok: false, output: "", error: "exit 1" });
const succeed = async (): Promise<ToolResult> => ({ ok: true, output: "" });
const refusedByApproval = async (): Promise<ToolResult> => ({
  ok: false,
  output: "",
  error: "no",
  stop: { reason: "approval", by: "approval" },
});

test("the failure that exceeds max_consecutive halts; later calls are refused", async () => {
  const layer = failureLimits({ maxConsecutive: 2, maxTotal: 10 });
  const ctx = fakeContext();
  const tool = fakeTool();
  expect((await layer(ctx, callOf(tool), fail)).halt).toBeUndefined();
  expect((await layer(ctx, callOf(tool), fail)).halt).toBeUndefined();
  const third = await layer(ctx, callOf(tool), fail);
  expect(third.halt).toBe("failures");
  expect(third.error).toContain("3 consecutive tool failures (limit 2)");
  let ran = false;
  const after = await layer(ctx, callOf(tool), async () => {
    ran = true;
    return { ok: true, output: "" };
  });
  expect(ran).toBe(false);
  expect(after).toMatchObject({ ok: false, stop: { by: "failure_limits" }, halt: "failures" });
});

test("a success resets the consecutive count; refusals by other layers do not count", async () => {
  const layer = failureLimits({ maxConsecutive: 2, maxTotal: 100 });
  const ctx = fakeContext();
  const tool = fakeTool();
  for (let i = 0; i < 5; i++) {
    await layer(ctx, callOf(tool), fail);
    await layer(ctx, callOf(tool), fail);
    await layer(ctx, callOf(tool), refusedByApproval);
    expect((await layer(ctx, callOf(tool), succeed)).ok).toBe(true);
  }
});

test("a refusal between failures neither counts nor resets the consecutive count", async () => {
  const layer = failureLimits({ maxConsecutive: 2, maxTotal: 100 });
  const ctx = fakeContext();
  const tool = fakeTool();
  await layer(ctx, callOf(tool), fail);
  await layer(ctx, callOf(tool), fail);
  expect((await layer(ctx, callOf(tool), refusedByApproval)).halt).toBeUndefined();
  const third = await layer(ctx, callOf(tool), fail);
  expect(third.halt).toBe("failures");
  expect(third.error).toContain("3 consecutive tool failures (limit 2)");
});

test("a call abandoned after it was cancelled neither counts as a failure nor resets the consecutive count", async () => {
  const layer = failureLimits({ maxConsecutive: 2, maxTotal: 100 });
  const ctx = fakeContext();
  const tool = fakeTool();
  const abandoned = async (): Promise<ToolResult> => ({
    ok: false,
    output: "",
    error: "abandoned: the run stopped (interrupted)",
    stop: { reason: "cancelled", by: "run" },
  });
  await layer(ctx, callOf(tool), fail);
  await layer(ctx, callOf(tool), fail);
  expect((await layer(ctx, callOf(tool), abandoned)).halt).toBeUndefined();
  const third = await layer(ctx, callOf(tool), fail);
  expect(third.halt).toBe("failures");
  expect(third.error).toContain("3 consecutive tool failures (limit 2)");
});

test("max_total counts across successes; throws and timeouts count as failures", async () => {
  const layer = failureLimits({ maxConsecutive: 100, maxTotal: 2 });
  const ctx = fakeContext();
  const tool = fakeTool();
  await expect(
    layer(ctx, callOf(tool), async () => {
      throw new Error("x");
    }),
  ).rejects.toThrow("x");
  await layer(ctx, callOf(tool), succeed);
  await layer(ctx, callOf(tool), async () => ({
    ok: false,
    output: "",
    error: "t",
    stop: { reason: "timeout", by: "timeout" },
  }));
  await layer(ctx, callOf(tool), succeed);
  const third = await layer(ctx, callOf(tool), fail);
  expect(third.halt).toBe("failures");
  expect(third.error).toContain("3 tool failures in this run (limit 2)");
  expect(fakeContext().events).toHaveLength(0);
  const otherRun = fakeContext(undefined, "run2");
  expect((await layer(otherRun, callOf(tool), succeed)).ok).toBe(true);
});

test("parallel calls reserve a slot: ten failing calls at once with max_total = 3 run no more than sequential ones would", async () => {
  const layer = failureLimits({ maxConsecutive: 100, maxTotal: 3 });
  const ctx = fakeContext();
  const tool = fakeTool();
  let ran = 0;
  const results = await Promise.all(
    Array.from({ length: 10 }, () =>
      layer(ctx, callOf(tool), async () => {
        ran += 1;
        await Promise.resolve();
        return { ok: false, output: "", error: "exit 1" };
      }),
    ),
  );
  expect(ran).toBe(4);
  expect(results.filter((result) => result.stop?.by === "failure_limits")).toHaveLength(6);
  expect(results.every((result) => result.halt === "failures" || result.halt === undefined)).toBe(true);
  expect(results.some((result) => result.halt === "failures")).toBe(true);
});

test("a waiting call runs once the calls in flight succeed", async () => {
  const layer = failureLimits({ maxConsecutive: 1, maxTotal: 100 });
  const ctx = fakeContext();
  const tool = fakeTool();
  const results = await Promise.all(Array.from({ length: 5 }, () => layer(ctx, callOf(tool), succeed)));
  expect(results.every((result) => result.ok)).toBe(true);
});

test("a throw that exceeds a limit halts like any failure, reported as layer 1 reports a throw", async () => {
  const layer = failureLimits({ maxConsecutive: 1, maxTotal: 10 });
  const ctx = fakeContext();
  const tool = fakeTool();
  const throws = async (): Promise<ToolResult> => {
    throw new Error("tool bug");
  };
  await expect(layer(ctx, callOf(tool), throws)).rejects.toThrow("tool bug");
  const second = await layer(ctx, callOf(tool), throws);
  expect(second).toMatchObject({ ok: false, stop: { by: "exception" }, halt: "failures" });
  expect(second.error).toContain("failed unexpectedly (Error: tool bug)");
  expect(second.error).toContain(
    "(failure limit exceeded: 2 consecutive tool failures (limit 1); the run stops)",
  );
  expect(ctx.events.map((event) => event.type)).toEqual(["error", "warning"]);
});
