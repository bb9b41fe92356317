import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { parseToolArguments } from "../../src/tools/arguments.ts";

const schema = z.object({
  command: z.string(),
  count: z.number().nullable().optional(),
  flag: z.boolean().optional(),
});

describe("parseToolArguments", () => {
  test("strict JSON is not marked as repaired", () => {
    expect(parseToolArguments('{"command":"ls"}', schema)).toEqual({
      ok: true,
      args: { command: "ls" },
      repaired: false,
    });
  });

  test("empty text means {}", () => {
    const result = parseToolArguments("  ", z.object({ x: z.string().optional() }));
    expect(result).toEqual({ ok: true, args: {}, repaired: false });
  });

  test.each([
    ["a ```json code fence", '```json\n{"command": "ls"}\n```', { command: "ls" }],
    ["single quotes", "{'command': 'ls'}", { command: "ls" }],
    ["trailing commas", '{"command": "ls", "count": 2,}', { command: "ls", count: 2 }],
    [
      "Python literals",
      '{"command": "ls", "flag": True, "count": None}',
      { command: "ls", flag: true, count: null },
    ],
  ])("repairs %s", (_name, raw, expected) => {
    const result = parseToolArguments(raw, schema);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.repaired).toBe(true);
    expect(result.args).toEqual(expected);
  });

  test.each([
    ["an unterminated string", '{"command": "touch MARKER'],
    ["an unclosed object", '{"command": "ls", "count": 2'],
    ["an unclosed array", '{"paths": ["a", "b"'],
  ])("never repairs cut-off arguments: %s", (_name, raw) => {
    const result = parseToolArguments(raw, schema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("cut off");
  });

  test("a shape error names the field, the expectation and what was received", () => {
    const result = parseToolArguments('{"command": 42}', schema);
    expect(result).toEqual({
      ok: false,
      error: 'invalid arguments: argument "command": expected string, received number',
    });
  });

  test("a missing field is named as missing", () => {
    const result = parseToolArguments("{}", schema);
    expect(result).toEqual({
      ok: false,
      error: 'invalid arguments: argument "command" is missing: expected string',
    });
  });

  test("an enum mismatch lists the allowed values", () => {
    const result = parseToolArguments('{"op": "delete"}', z.object({ op: z.enum(["read", "write"]) }));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toBe(
        'invalid arguments: argument "op": expected one of "read", "write", received "delete"',
      );
  });

  test("a non-object is refused with what was received", () => {
    const result = parseToolArguments('"ls -la"', schema);
    expect(result).toEqual({ ok: false, error: "the arguments must be a JSON object, received string" });
  });
});
