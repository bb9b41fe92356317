import { expect, test } from "bun:test";
import { TIER_UP_CONCURRENCY, tierUpForConcurrency } from "../../src/cli/jit-tier-up.ts";

function recorder() {
  const scales: number[] = [];
  return { scales, globals: { Bun: { unsafe: { setJITPolicy: (scale: number) => scales.push(scale) } } } };
}

test("from TIER_UP_CONCURRENCY runs at once the JIT thresholds go back to normal (scale 1)", () => {
  const { scales, globals } = recorder();
  tierUpForConcurrency(TIER_UP_CONCURRENCY, globals);
  tierUpForConcurrency(500, globals);
  expect(scales).toEqual([1, 1]);
});

test("fewer runs at once keep the executable's start-up policy", () => {
  const { scales, globals } = recorder();
  tierUpForConcurrency(1, globals);
  tierUpForConcurrency(50, globals);
  tierUpForConcurrency(TIER_UP_CONCURRENCY - 1, globals);
  expect(scales).toEqual([]);
});

test("does nothing on a runtime without the control", () => {
  for (const globals of [{}, { Bun: {} }, { Bun: { unsafe: {} } }]) {
    expect(() => tierUpForConcurrency(500, globals)).not.toThrow();
  }
});
