import { expect, test } from "bun:test";
import { vetCallIds } from "../../src/agent/call-ids.ts";
import { createRedactor } from "../../src/redact/index.ts";
import type { ToolCall } from "../../src/spec/model.ts";

const SECRET = "k9Tq4Wz8Lm2Xv7Rb5Nc3";
const redactor = createRedactor({ secrets: [SECRET] });
const redact = (text: string) => redactor.redact(text);
const call = (id: string): ToolCall => ({ id, name: "sh", arguments: "{}" });

test("plain ids the redactor leaves alone are kept; the same array comes back when nothing changes", () => {
  const calls = [call("call_AbC123xyz"), call("toolu_01A-b_c"), call("c1"), call("z".repeat(64))];
  expect(vetCallIds(calls, 1, redact)).toBe(calls);
});

test("ids with path characters, NUL, quotes, over 64 characters, agentry's prefix or a secret become agentry-<turn>-<index>", () => {
  const hostile = [
    "../../etc/passwd",
    "a/b",
    "x\u0000y",
    "c1'>",
    "..",
    "z".repeat(65),
    "agentry-3-0",
    `call_${SECRET}`,
    "",
  ];
  const calls = [call("ok_1"), ...hostile.map(call)];
  const vetted = vetCallIds(calls, 3, redact);
  expect(vetted.map((c) => c.id)).toEqual(["ok_1", ...hostile.map((_, n) => `agentry-3-${n + 1}`)]);
  expect(vetted.every((c) => c.name === "sh" && c.arguments === "{}")).toBe(true);
  expect(calls[1]?.id).toBe("../../etc/passwd");
});

test("the replacement is deterministic: the same turn vetted again (a replayed cassette) gives the same ids", () => {
  const calls = [call(`call_${SECRET}`), call("fine")];
  const again = createRedactor({ secrets: [SECRET] });
  expect(vetCallIds(calls, 2, (t) => again.redact(t))).toEqual(vetCallIds(calls, 2, redact));
});
