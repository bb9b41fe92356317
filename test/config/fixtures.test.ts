import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../support/binary.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/config");
const cases = readdirSync(FIXTURES).sort();

describe("broken configurations, against the compiled binary", () => {
  test("there are at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of cases) {
    test(name, async () => {
      const cwd = join(FIXTURES, name);
      const expected = readFileSync(join(cwd, "expected.txt"), "utf8");
      const result = await runBinary(["validate", "-c", "agentry.toml"], {
        cwd,
        env: { OPENAI_API_KEY: undefined },
      });
      expect(result.stderr).toBe(expected);
      expect(result.stdout).toBe("");
      expect(result.code).toBe(2);
    });
  }

  test("secret values never reach the output", async () => {
    const cwd = join(FIXTURES, "secret-hidden");
    const source = readFileSync(join(cwd, "agentry.toml"), "utf8");
    expect(source).toContain("SUPERSECRET");
    const result = await runBinary(["validate", "-c", "agentry.toml"], { cwd });
    expect(result.stderr).toContain("value hidden");
    expect(result.stderr).not.toContain("SUPERSECRET");
    expect(result.stderr).not.toContain("12345");
  });
});
