import { describe, expect, test } from "bun:test";
import { editDistance, suggest } from "../../src/config/suggest.ts";

describe("editDistance", () => {
  test("counts insertions, deletions, substitutions and transpositions as one edit", () => {
    expect(editDistance("tool", "tools")).toBe(1);
    expect(editDistance("tools", "tool")).toBe(1);
    expect(editDistance("mode", "made")).toBe(1);
    expect(editDistance("api_kye", "api_key")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("suggest", () => {
  const keys = ["kind", "api_key", "base_url", "headers", "retries", "max_output_tokens"];
  test("finds the closest key", () => {
    expect(suggest("api_kye", keys)).toBe("api_key");
    expect(suggest("base_ur", keys)).toBe("base_url");
    expect(suggest("retires", keys)).toBe("retries");
    expect(suggest("HEADERS", keys)).toBe("headers");
  });
  test("returns nothing when no candidate is plausibly meant", () => {
    expect(suggest("colour", keys)).toBeUndefined();
    expect(suggest("x", ["kind"])).toBeUndefined();
    expect(suggest("kind", [])).toBeUndefined();
  });
  test("short words allow one edit only", () => {
    expect(suggest("ask", ["ask", "auto"])).toBeUndefined();
    expect(suggest("aks", ["readonly", "ask", "auto"])).toBe("ask");
    expect(suggest("abc", ["xyz"])).toBeUndefined();
  });
});
