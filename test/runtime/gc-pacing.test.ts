import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { createRuntime, defineTool, loadConfigText, type Runtime } from "../../src/index.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";

let mock: MockProvider | undefined;
let runtime: Runtime | undefined;
let dir: string | undefined;

afterEach(async () => {
  await runtime?.close();
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  runtime = mock = dir = undefined;
});

const echo = defineTool({
  name: "echo",
  description: "Echoes a word.",
  parameters: z.object({ word: z.string() }),
  readOnly: true,
  execute: ({ word }) => word,
});

/** `runs` concurrent runs of one tool call and an answer each; how often the runtime collected. */
async function collectionsFor(runs: number): Promise<number> {
  mock = await startMockProvider({
    latencyMs: 40,
    turns: (request) => {
      const messages = (request.body as { messages: { role: string }[] }).messages;
      return messages.some((m) => m.role === "tool")
        ? { text: "done" }
        : { toolCalls: [{ id: "c1", name: "echo", arguments: { word: "hi" } }] };
    },
  });
  dir = mkdtempSync(join(tmpdir(), "agentry-gc-"));
  const loaded = await loadConfigText(
    `[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
retries = 0

[agents.a]
tools = ["echo"]
mode = "auto"
`,
    { tools: [echo] },
  );
  let collections = 0;
  runtime = createRuntime(loaded, { tools: [echo], stateDir: dir, collectGarbage: () => collections++ });
  const results = await Promise.all(
    Array.from({ length: runs }, (_, i) => runtime?.run({ prompt: `job ${i}` })),
  );
  expect(results.every((result) => result?.status === "ok")).toBe(true);
  return collections;
}

test("with many runs in flight the runtime collects garbage about once per model request per run", async () => {
  const collections = await collectionsFor(40);
  expect(collections).toBeGreaterThanOrEqual(1);
  expect(collections).toBeLessThanOrEqual(2);
});

test("a few runs in flight never trigger a collection", async () => {
  expect(await collectionsFor(8)).toBe(0);
});
