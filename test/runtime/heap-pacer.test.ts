import { expect, test } from "bun:test";
import { HeapPacer, type PacerHost } from "../../src/runtime/heap-pacer.ts";

function fakeHost(withCollector = true) {
  const log: string[] = [];
  let tick: (() => void) | undefined;
  const host: PacerHost = {
    collect: withCollector ? () => log.push("collect") : undefined,
    setInterval: (fn, ms) => {
      log.push(`start ${ms}`);
      tick = fn;
      return { unref: () => log.push("unref") };
    },
    clearInterval: () => {
      log.push("stop");
      tick = undefined;
    },
  };
  return { host, log, tick: () => tick?.() };
}

test("collects on a timer only while at least `threshold` runs are in flight", () => {
  const { host, log, tick } = fakeHost();
  const pacer = new HeapPacer(3, 250, host);
  pacer.enter();
  pacer.enter();
  expect(log).toEqual([]);
  pacer.enter();
  expect(log).toEqual(["start 250", "unref"]);
  pacer.enter();
  tick();
  tick();
  expect(log).toEqual(["start 250", "unref", "collect", "collect"]);
  pacer.leave();
  expect(log.at(-1)).toBe("collect");
  pacer.leave();
  expect(log.at(-1)).toBe("stop");
  tick();
  expect(log.filter((entry) => entry === "collect")).toHaveLength(2);
  pacer.enter();
  expect(log.at(-2)).toBe("start 250");
});

test("does nothing where the runtime offers no collector", () => {
  const { host, log } = fakeHost(false);
  const pacer = new HeapPacer(1, 250, host);
  pacer.enter();
  pacer.leave();
  expect(log).toEqual([]);
});
