import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { matchSpellings } from "../../src/tools/argument-spellings.ts";
import { patternPaths } from "../../src/tools/file/pattern-paths.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "spellings-")));
mkdirSync(join(root, "docs"));
writeFileSync(join(root, "secret.txt"), "x");
symlinkSync("../secret.txt", join(root, "docs", "link"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("approval spellings of a file path and a URL (review 7)", () => {
  test("a path is judged after .. and symlinks, relative to the root and absolute", () => {
    expect(patternPaths(root, "/configured", "docs/../secret.txt")).toEqual([
      "secret.txt",
      join(root, "secret.txt"),
      "/configured/secret.txt",
    ]);
    expect(patternPaths(root, root, "docs/link")?.[0]).toBe("secret.txt");
    expect(patternPaths(root, root, "./docs/new/file.md")?.[0]).toBe("docs/new/file.md");
    expect(patternPaths(root, root, "../outside")).toBeUndefined();
  });

  test("except (every) matches only a canonical spelling; deny (any) matches any spelling", () => {
    const canonical = ["read secret.txt"];
    expect(matchSpellings(["read docs/*"], "read docs/../secret.txt", canonical, "every")).toEqual({
      kind: "no_match",
    });
    expect(matchSpellings(["read docs/*"], "read docs/../secret.txt", canonical, "any")).toEqual({
      kind: "match",
      glob: "read docs/*",
    });
    expect(matchSpellings(["read secret*"], "read ./secret.txt", canonical, "any")).toMatchObject({
      kind: "match",
    });
    expect(matchSpellings(["read docs/*"], "read docs/a", undefined, "every")).toEqual({ kind: "no_match" });
  });
});
