import { afterEach, expect, spyOn, test } from "bun:test";
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonIfExists, writeJsonAtomic } from "../../src/state/json-file.ts";
import { tempDirs } from "../support/deferred-run.ts";

const tempDir = tempDirs();
const spies: { mockRestore(): void }[] = [];
afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

test("a state file is written whole and its temporary file is gone", () => {
  const dir = tempDir("agentry-json-file-");
  const path = join(dir, "runs", "r1.json");
  writeJsonAtomic(path, { a: 1 });
  writeJsonAtomic(path, { a: 2 });
  expect(readJsonIfExists(path)).toEqual({ a: 2 });
  expect(readdirSync(join(dir, "runs"))).toEqual(["r1.json"]);
});

test("a symlink planted where the temporary file would be written is never followed", () => {
  const dir = tempDir("agentry-json-file-");
  const victim = join(dir, "victim.txt");
  writeFileSync(victim, "keep me\n");
  const path = join(dir, "r1.json");
  // Someone who can write the state dir and guesses the name of the next temporary file (it was
  // the writer's pid and the time in milliseconds) links it to a file of the user's.
  spies.push(spyOn(Date, "now").mockReturnValue(1_700_000_000_000));
  symlinkSync(victim, `${path}.${process.pid}.1700000000000.tmp`);
  try {
    writeJsonAtomic(path, { a: 1 });
  } catch {
    // Refusing to write is fine too; writing through the link is not.
  }
  expect(readFileSync(victim, "utf8")).toBe("keep me\n");
});
