// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text holds ${VAR} references literally
import { describe, expect, test } from "bun:test";
import { interpolate, listReferences, referenceSyntaxError } from "../../src/config/interpolate.ts";
import { ConfigError } from "../../src/spec/errors.ts";

describe("referenceSyntaxError", () => {
  test("accepts well-formed references and plain dollars", () => {
    expect(referenceSyntaxError("Bearer ${TOKEN}")).toBeUndefined();
    expect(referenceSyntaxError("${A:-x} and ${_B1:-}")).toBeUndefined();
    expect(referenceSyntaxError("costs $5, $HOME is not a reference")).toBeUndefined();
  });
  test("reports an unclosed ${ and a bad name, without quoting the value", () => {
    expect(referenceSyntaxError("abc ${TOKEN")).toBe('"${" at character 5 is never closed by "}"');
    expect(referenceSyntaxError("secret-value ${1BAD}")).toContain("character 14 does not start a reference");
    expect(referenceSyntaxError("${}")).toContain("does not start a reference");
    expect(referenceSyntaxError("${A B}")).toContain("does not start a reference");
    expect(referenceSyntaxError("secret-value ${1BAD}")).not.toContain("secret-value");
  });
});

describe("listReferences", () => {
  test("lists names in order and whether they have defaults", () => {
    expect(listReferences("${A}/${B:-x}/${A}")).toEqual([
      { name: "A", hasDefault: false },
      { name: "B", hasDefault: true },
      { name: "A", hasDefault: false },
    ]);
    expect(listReferences("none")).toEqual([]);
  });
});

describe("interpolate", () => {
  test("resolves variables and defaults and returns the secrets it used", () => {
    const result = interpolate("Bearer ${T} ${U:-u}", "tools.web.headers.Authorization", { T: "tok" });
    expect(result).toEqual({ value: "Bearer tok u", secrets: ["tok"] });
  });
  test("an unset variable is a ConfigError naming it and the key, never a value", () => {
    let caught: unknown;
    try {
      interpolate("${SET}:${MISSING}", "providers.openai.api_key", { SET: "visible-secret" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.message).toContain("MISSING");
    expect(error.issues[0]?.path).toBe("providers.openai.api_key");
    expect(JSON.stringify(error.toJSON())).not.toContain("visible-secret");
  });
});
