import { expect, test } from "bun:test";
import { collectorFor, collectorOfRuntime, HeapPacer } from "../../src/runtime/heap-pacer.ts";

test("collects after about one model request per run, only while `threshold` runs are in flight", () => {
  let collections = 0;
  const pacer = new HeapPacer(3, () => collections++);
  pacer.enter();
  pacer.enter();
  for (let i = 0; i < 10; i++) pacer.tick();
  expect(collections).toBe(0);
  pacer.enter();
  pacer.enter();
  for (let i = 0; i < 3; i++) pacer.tick();
  expect(collections).toBe(0);
  pacer.tick();
  expect(collections).toBe(1);
  for (let i = 0; i < 8; i++) pacer.tick();
  expect(collections).toBe(3);
  pacer.leave();
  pacer.leave();
  for (let i = 0; i < 10; i++) pacer.tick();
  expect(collections).toBe(3);
});

test("the runtime's collector: a full Bun.gc on Bun, global.gc on Node with --expose-gc, none otherwise", () => {
  const calls: string[] = [];
  collectorOfRuntime({ Bun: { gc: (force: boolean) => calls.push(`Bun.gc(${force})`) } })?.();
  collectorOfRuntime({ gc: () => calls.push("gc()") })?.();
  expect(calls).toEqual(["Bun.gc(true)", "gc()"]);
  expect(collectorOfRuntime({})).toBeUndefined();
  expect(collectorOfRuntime({ gc: "not a function" })).toBeUndefined();
});

test("GC pacing is off unless asked for: library hosts get no collector, the CLI's `true` the runtime's", () => {
  expect(collectorFor(undefined)).toBeUndefined();
  expect(collectorFor(false)).toBeUndefined();
  expect(typeof collectorFor(true)).toBe(typeof collectorOfRuntime());
  const own = () => {};
  expect(collectorFor(own)).toBe(own);
});
