import { expect, test } from "bun:test";
import { IsoStamp } from "../../src/clock/iso-stamp.ts";

test("IsoStamp formats the current millisecond like Date#toISOString, once per millisecond", () => {
  let ms = Date.UTC(2026, 10, 30, 13, 0, 0, 5);
  const stamp = new IsoStamp(() => ms);
  const first = stamp.now();
  expect(first).toBe("2026-11-30T13:00:00.005Z");
  expect(stamp.now()).toBe(first);
  ms += 1;
  expect(stamp.now()).toBe("2026-11-30T13:00:00.006Z");
  ms -= 1;
  expect(stamp.now()).toBe(first);
});

test("IsoStamp without an injected clock gives the current time", () => {
  const before = Date.now();
  const at = Date.parse(new IsoStamp().now());
  expect(at).toBeGreaterThanOrEqual(before);
  expect(at).toBeLessThanOrEqual(Date.now());
});
