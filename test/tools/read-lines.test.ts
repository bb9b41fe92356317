import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLines } from "../../src/tools/file/read-lines.ts";

const dir = mkdtempSync(join(tmpdir(), "read-lines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readLines", () => {
  test("reading at once and streaming give the same windows", async () => {
    const file = join(dir, "mixed.txt");
    writeFileSync(file, "one\r\ntwo\nthree\n\nfive\n");
    for (const [offset, limit, maxBytes] of [
      [1, 100, 10_000],
      [2, 2, 10_000],
      [4, 100, 10_000],
      [1, 100, 9],
    ] as const) {
      const whole = await readLines(file, offset, limit, maxBytes, 20);
      const streamed = await readLines(file, offset, limit, maxBytes);
      expect(whole).toEqual(streamed);
    }
    expect(await readLines(file, 2, 2, 10_000, 20)).toEqual({
      text: "2\ttwo\n3\tthree",
      more: true,
      lastLine: 3,
      binary: false,
    });
  });

  test("a NUL byte in the first line marks a binary file either way", async () => {
    const file = join(dir, "bin.dat");
    writeFileSync(file, "a\0b\nc\n");
    expect((await readLines(file, 1, 10, 100, 6)).binary).toBe(true);
    expect((await readLines(file, 1, 10, 100)).binary).toBe(true);
  });
});
