import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveExecutable } from "../../src/tools/shell/resolve-executable.ts";

const dir = realpathSync(mkdtempSync(join(tmpdir(), "resolve-")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("relative and empty PATH entries are skipped: a file in the working directory is not the program (review 7)", () => {
  writeFileSync(join(dir, "ls"), "#!/bin/sh\ntouch pwned\n");
  chmodSync(join(dir, "ls"), 0o755);
  const previous = process.cwd();
  process.chdir(dir);
  try {
    for (const path of [".:/usr/bin:/bin", ":/usr/bin:/bin", "./:/usr/bin:/bin"]) {
      const found = resolveExecutable("ls", path, dir);
      expect({ path, found: found?.startsWith("/") && !found.startsWith(dir) }).toEqual({
        path,
        found: true,
      });
    }
    expect(resolveExecutable("ls", ".", dir)).toBeUndefined();
  } finally {
    process.chdir(previous);
  }
});
