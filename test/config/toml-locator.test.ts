import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { createLocator } from "../../src/config/toml-locator.ts";

const TEXT = `# comment
include = ["a.toml", "b.toml"]

[defaults]
model = "openai/x"   # trailing comment
budget = { usd = 2.0, tokens = 5 }

[agents.ops]
tools = [
  "sh",
  'web',
]
policy.loop.max_repeats = 3
"quoted key" = """
multi
line"""

[agents."my agent".policy]
tool_timeout = "1s"

[[servers]]
name = "a"

[[servers]]
name = "b"
inline = { deep = { x = 1 } }
`;

describe("createLocator", () => {
  const locator = createLocator(TEXT);
  test("the text is valid TOML (the locator's precondition)", () => {
    expect(() => parse(TEXT)).not.toThrow();
  });
  test("keys and values of plain key/value pairs", () => {
    expect(locator.locate(["defaults", "model"], "key")).toEqual({ line: 5, column: 1 });
    expect(locator.locate(["defaults", "model"], "value")).toEqual({ line: 5, column: 9 });
  });
  test("array elements, across lines and quote styles", () => {
    expect(locator.locate(["include", 1], "value")).toEqual({ line: 2, column: 22 });
    expect(locator.locate(["agents", "ops", "tools", 0], "value")).toEqual({ line: 10, column: 3 });
    expect(locator.locate(["agents", "ops", "tools", 1], "value")).toEqual({ line: 11, column: 3 });
  });
  test("inline tables, dotted keys and quoted keys", () => {
    expect(locator.locate(["defaults", "budget", "tokens"], "key")).toEqual({ line: 6, column: 23 });
    expect(locator.locate(["agents", "ops", "policy", "loop", "max_repeats"], "key")).toEqual({
      line: 13,
      column: 13,
    });
    expect(locator.locate(["agents", "ops", "policy", "loop"], "key")).toEqual({ line: 13, column: 8 });
    expect(locator.locate(["agents", "ops", "quoted key"], "key")).toEqual({ line: 14, column: 1 });
    expect(locator.locate(["agents", "my agent", "policy", "tool_timeout"], "key")).toEqual({
      line: 19,
      column: 1,
    });
  });
  test("table headers and array tables", () => {
    expect(locator.locate(["agents", "ops"], "key")).toEqual({ line: 8, column: 9 });
    expect(locator.locate(["agents", "my agent"], "key")).toEqual({ line: 18, column: 9 });
    expect(locator.locate(["servers", 1, "name"], "value")).toEqual({ line: 25, column: 8 });
    expect(locator.locate(["servers", 1, "inline", "deep", "x"], "key")).toEqual({ line: 26, column: 21 });
  });
  test("a missing key falls back to its nearest written ancestor", () => {
    expect(locator.locate(["agents", "ops", "model"], "value")).toEqual({ line: 8, column: 9 });
    expect(locator.locate(["nothing"], "key")).toBeUndefined();
  });
  test("the key after a multi-line string is still found", () => {
    expect(locator.locate(["agents", "my agent"], "key")?.line).toBe(18);
  });
});
