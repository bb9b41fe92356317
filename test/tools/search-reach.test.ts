import { describe, expect, test } from "bun:test";
import { searchReach } from "../../src/tools/file/pattern-paths.ts";
import { compileCommandGlob } from "../../src/tools/shell/command-glob.ts";

/** The spellings `patternPaths` gives a path of a tool rooted at /r (configured as /c). */
const spelt = (path: string) => (path === "." ? [".", "/r", "/c"] : [path, `/r/${path}`, `/c/${path}`]);

describe("deny globs a file search may reach (review 9b)", () => {
  test("a glob that may cover a file below the searched folder makes the search unverifiable", () => {
    for (const [glob, path] of [
      ["read .env", "."],
      ["read secret*", "."],
      ["read docs/private/*", "docs"],
      ["* /r/docs/*", "docs"],
      ["search docs/*", "."],
      ["read docs/a.md", "docs/a.md"],
    ] as const) {
      expect({ glob, path, kind: searchReach([glob], spelt(path)).kind }).toEqual({
        glob,
        path,
        kind: "unverifiable",
      });
    }
  });

  test("globs that cannot cover anything below it leave the search alone", () => {
    for (const [glob, path] of [
      ["read secret*", "docs"],
      ["write *", "."],
      ["list *", "."],
      ["read docs/private/*", "src"],
    ] as const) {
      expect({ glob, path, kind: searchReach([glob], spelt(path)).kind }).toEqual({
        glob,
        path,
        kind: "no_match",
      });
    }
  });

  test("matchesSomeExtension: whether some text starting with the prefix matches", () => {
    expect(compileCommandGlob("read secret*").matchesSomeExtension("read ")).toBe(true);
    expect(compileCommandGlob("read secret*").matchesSomeExtension("read docs/")).toBe(false);
    expect(compileCommandGlob("read a").matchesSomeExtension("read a")).toBe(true);
    expect(compileCommandGlob("read a").matchesSomeExtension("read ab")).toBe(false);
  });
});
