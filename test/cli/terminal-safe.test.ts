import { describe, expect, test } from "bun:test";
import { preview, terminalSafe } from "../../src/cli/render/format.ts";

describe("terminalSafe: text agentry did not write cannot drive the terminal", () => {
  test("escape sequences, other controls, DEL, C1 and bidi overrides are spelled out", () => {
    expect(terminalSafe("a\x1b]52;c;aGk=\x07b")).toBe("a\\u{1b}]52;c;aGk=\\u{7}b");
    expect(terminalSafe("\x1b[2J\x00\x7f\x9b\u202eevil\u2066")).toBe(
      "\\u{1b}[2J\\u{0}\\u{7f}\\u{9b}\\u{202e}evil\\u{2066}",
    );
  });

  test("tab, line feed and carriage return stay, and so does ordinary text in any script", () => {
    const text = "line 1\r\n\tline 2 — مرحبا 你好 ✓";
    expect(terminalSafe(text)).toBe(text);
  });

  test("previews collapse whitespace and spell out controls, also in a model's unparsed arguments", () => {
    expect(preview('{"cmd": "ls\x1b[8m hidden"\n}')).toBe('{"cmd": "ls\\u{1b}[8m hidden" }');
  });
});
