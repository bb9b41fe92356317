import { expect, test } from "bun:test";
import { tierUpNormally } from "../../src/cli/jit-tier-up.ts";

test("puts the JIT tier-up thresholds back to normal (scale 1) where Bun offers the control", () => {
  const scales: number[] = [];
  tierUpNormally({ Bun: { unsafe: { setJITPolicy: (scale: number) => scales.push(scale) } } });
  expect(scales).toEqual([1]);
});

test("does nothing on a runtime without the control", () => {
  expect(() => tierUpNormally({})).not.toThrow();
  expect(() => tierUpNormally({ Bun: {} })).not.toThrow();
  expect(() => tierUpNormally({ Bun: { unsafe: {} } })).not.toThrow();
});
