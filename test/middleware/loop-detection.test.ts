import { describe, expect, test } from "bun:test";
import {
  callFingerprint,
  createTextRepeatDetector,
  loopDetection,
} from "../../src/middleware/loop-detection/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
import { callOf, fakeContext, fakeTool, runTool } from "./support.ts";

describe("loopDetection", () => {
  test("max_repeats = 3: an identical call executes 3 times, the 4th is refused, the 5th halts", async () => {
    const tool = fakeTool();
    const layer = loopDetection({ maxRepeats: 3 });
    const ctx = fakeContext();
    const variants = [
      { a: 1, b: "x  y" },
      { b: "x y", a: 1 },
      { b: " x y ", a: 1 },
    ];
    for (const args of variants) expect((await layer(ctx, callOf(tool, args), runTool)).ok).toBe(true);
    const fourth = await layer(ctx, callOf(tool, { a: 1, b: "x y" }), runTool);
    expect(fourth).toMatchObject({ ok: false, stop: { by: "loop_detection" } });
    expect(fourth.halt).toBeUndefined();
    expect(fourth.error).toContain("repeating yourself");
    const fifth = await layer(ctx, callOf(tool, { a: 1, b: "x y" }), runTool);
    expect(fifth).toMatchObject({ ok: false, stop: { by: "loop_detection" }, halt: "loop" });
    expect(tool.calls).toHaveLength(3);
    expect(ctx.events.filter((e) => e.type === "warning")).toHaveLength(2);
  });

  test("different arguments or tools are different calls", async () => {
    const layer = loopDetection({ maxRepeats: 1 });
    const ctx = fakeContext();
    expect((await layer(ctx, callOf(fakeTool("a"), { x: 1 }), runTool)).ok).toBe(true);
    expect((await layer(ctx, callOf(fakeTool("b"), { x: 1 }), runTool)).ok).toBe(true);
    expect((await layer(ctx, callOf(fakeTool("a"), { x: 2 }), runTool)).ok).toBe(true);
    expect((await layer(ctx, callOf(fakeTool("a"), { x: 1 }), runTool)).ok).toBe(false);
  });

  test("a placeholder and the value it stands for are one call: alternating them does not double the limit", async () => {
    const redactor = createRedactor();
    const shown = redactor.redact("host 10.20.30.40");
    const placeholder = shown.slice("host ".length);
    expect(placeholder).toMatch(/^\[PII:ip:[0-9a-f]+\]$/);
    const tool = fakeTool();
    const layer = loopDetection({ maxRepeats: 2 });
    const ctx = fakeContext(undefined, "run1", { redactor });
    const results = [];
    for (const host of ["10.20.30.40", placeholder, "10.20.30.40", placeholder]) {
      results.push((await layer(ctx, callOf(tool, { cmd: `ping ${host}` }), runTool)).ok);
    }
    expect(results).toEqual([true, true, false, false]);
    expect(tool.calls).toHaveLength(2);
  });

  test("fingerprints ignore key order and whitespace but not case", () => {
    expect(callFingerprint("t", { a: "p  q", b: [1, { c: 2, d: 3 }] })).toBe(
      callFingerprint("t", { b: [1, { d: 3, c: 2 }], a: "p q" }),
    );
    expect(callFingerprint("t", { a: "P" })).not.toBe(callFingerprint("t", { a: "p" }));
  });

  test("an own __proto__ argument (as JSON.parse makes one) is part of the fingerprint, sorted or not", () => {
    const parsed = (json: string) => JSON.parse(json) as Record<string, unknown>;
    for (const [one, other] of [
      ['{"b":1,"a":2,"__proto__":{"x":1}}', '{"b":1,"a":2,"__proto__":{"x":2}}'],
      ['{"b":1,"a":"  q","__proto__":"one"}', '{"b":1,"a":"  q","__proto__":"two"}'],
      ['{"__proto__":{"x":1},"a":2}', '{"__proto__":{"x":2},"a":2}'],
    ] as const) {
      expect(callFingerprint("t", parsed(one))).not.toBe(callFingerprint("t", parsed(other)));
    }
    expect(callFingerprint("t", parsed('{"b":1,"__proto__":{"y":2,"x":1}}'))).toBe(
      callFingerprint("t", parsed('{"__proto__":{"x":1,"y":2},"b":1}')),
    );
  });
});

describe("createTextRepeatDetector", () => {
  test("true once identical text exceeds the limit in a row; other text resets it", () => {
    const detector = createTextRepeatDetector(2);
    expect(detector.check("Let me check.")).toBe(false);
    expect(detector.check("Let me  check. ")).toBe(false);
    expect(detector.check("Let me check.")).toBe(true);
    expect(detector.check("Something else")).toBe(false);
    expect(detector.check("Let me check.")).toBe(false);
    expect(detector.check("")).toBe(false);
    detector.reset();
    expect(detector.check("Let me check.")).toBe(false);
  });
});
