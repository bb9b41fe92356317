import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { makeWorkspace, type Workspace } from "../support/workspace.ts";

/** Issue 15: the README's quick start shows zero-config first, then TOML, and every command works. */

const KEY = "sk-readme-quick-start-0123456789";
const README = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");

let mock: MockProvider | undefined;
let ws: Workspace | undefined;

afterEach(async () => {
  await mock?.close();
  ws?.remove();
  mock = ws = undefined;
});

/** The `agentry …` command lines of the quick start's shell blocks, comments removed, split into words. */
function quickStartCommands(): string[][][] {
  const section = README.slice(
    README.indexOf("## Quick start"),
    README.indexOf("\n## ", README.indexOf("## Quick start") + 1),
  );
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  return blocks.map((block) =>
    block
      .split("\n")
      .filter((line) => line.startsWith("agentry "))
      .map((line) => {
        const words: string[] = [];
        for (const match of line.matchAll(/"([^"]*)"|(#.*$)|(\S+)/g)) {
          if (match[2] !== undefined) break;
          words.push(match[1] ?? match[3] ?? "");
        }
        return words.slice(1);
      }),
  );
}

describe("README quick start", () => {
  test("zero-config comes first (no -c, no init), then the TOML path", () => {
    const [zero, toml] = quickStartCommands();
    expect(zero?.length).toBeGreaterThan(1);
    expect(zero?.every((words) => words[0] === "run" && !words.includes("-c"))).toBe(true);
    expect(toml?.[0]?.[0]).toBe("init");
    expect(toml?.some((words) => words[0] === "validate")).toBe(true);
  });

  test("every quick-start command succeeds against the mock, in order, in an empty directory", async () => {
    mock = await startMockProvider({ turns: () => ({ text: "an answer" }), apiKey: KEY });
    ws = makeWorkspace("");
    const dir = join(ws.dir, "fresh");
    mkdirSync(dir);
    const env = {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: mock.baseUrls.openai,
      HOME: join(ws.dir, "home"),
      XDG_CONFIG_HOME: join(ws.dir, "xdg"),
      AGENTRY_STATE_DIR: ws.stateDir,
    };
    for (const block of quickStartCommands()) {
      for (const words of block) {
        const result = await runBinary(words, { cwd: dir, env, timeoutMs: 30_000 });
        expect({ words, code: result.code, stderr: result.code === 0 ? "" : result.stderr }).toEqual({
          words,
          code: 0,
          stderr: "",
        });
      }
    }
    expect(mock.requests.length).toBeGreaterThanOrEqual(5);
  });
});
