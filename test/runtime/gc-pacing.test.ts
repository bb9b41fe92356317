import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { createRuntime, defineTool, loadConfigText, type Runtime } from "../../src/index.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { mockDefaultsToml } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let runtime: Runtime | undefined;
let dir: string | undefined;

afterEach(async () => {
  await runtime?.close();
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  runtime = mock = dir = undefined;
});

/**
 * A tool that holds every call until `expected` calls have arrived, so all runs are in flight at
 * once, whatever the machine's speed. `released` tells how many collections had happened then.
 */
function barrierTool(expected: number, collections: () => number) {
  let arrived = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { atRelease: -1 };
  const tool = defineTool({
    name: "echo",
    description: "Echoes a word.",
    parameters: z.object({ word: z.string() }),
    readOnly: true,
    execute: async ({ word }) => {
      arrived += 1;
      if (arrived === expected) {
        state.atRelease = collections();
        release();
      }
      await gate;
      return word;
    },
  });
  return { tool, state };
}

/**
 * `runs` concurrent runs of one tool call and an answer each. Returns how often the runtime
 * collected in all, and after the barrier: there every run is in flight and sends exactly one
 * more model request.
 */
async function collectionsFor(runs: number): Promise<{ total: number; afterBarrier: number }> {
  mock = await startMockProvider({
    turns: (request) => {
      const messages = (request.body as { messages: { role: string }[] }).messages;
      return messages.some((m) => m.role === "tool")
        ? { text: "done" }
        : { toolCalls: [{ id: "c1", name: "echo", arguments: { word: "hi" } }] };
    },
  });
  dir = mkdtempSync(join(tmpdir(), "agentry-gc-"));
  let collections = 0;
  const { tool, state } = barrierTool(runs, () => collections);
  const loaded = await loadConfigText(
    `${mockDefaultsToml(mock.baseUrls.openai, "a")}
[agents.a]
tools = ["echo"]
mode = "auto"
`,
    { tools: [tool] },
  );
  runtime = createRuntime(loaded, { tools: [tool], stateDir: dir, collectGarbage: () => collections++ });
  const results = await Promise.all(
    Array.from({ length: runs }, (_, i) => runtime?.run({ prompt: `job ${i}` })),
  );
  expect(results.every((result) => result?.status === "ok")).toBe(true);
  return { total: collections, afterBarrier: collections - state.atRelease };
}

test("with 40 runs in flight, their 40 next model requests trigger exactly one collection", async () => {
  const { afterBarrier } = await collectionsFor(40);
  expect(afterBarrier).toBe(1);
});

test("a few runs in flight never trigger a collection", async () => {
  expect((await collectionsFor(8)).total).toBe(0);
});
