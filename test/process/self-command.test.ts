import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { selfCommand } from "../../src/process/self-command.ts";

const ROOT = join(import.meta.dir, "../..");

describe("selfCommand", () => {
  test("the compiled binary re-executes itself; a checkout runs bun with cmd/agentry.ts; otherwise none", () => {
    const moduleUrl = pathToFileURL(join(ROOT, "src/process/self-command.ts")).href;
    expect(selfCommand({ main: "/$bunfs/root/agentry", moduleUrl })).toEqual([process.execPath]);
    expect(selfCommand({ main: join(ROOT, "cmd/agentry.ts"), moduleUrl })).toEqual([
      process.execPath,
      join(ROOT, "cmd/agentry.ts"),
    ]);
    expect(selfCommand({ main: undefined, moduleUrl })).toBeUndefined();
    expect(selfCommand({ main: "/x/app.js", moduleUrl: "https://example.com/lib.js" })).toBeUndefined();
  });
});
