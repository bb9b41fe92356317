import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { createRuntime, defineTool, loadConfigText } from "../../src/index.ts";
import { type MockRequest, startMockProvider } from "../../src/testing/index.ts";
import { mockDefaultsToml, mockProviderToml } from "../support/workspace.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Looks like no known key format: only its registration as a configured secret can hide it. */
const KEY = "correct-horse-battery-staple-42";
const EMAIL = "alice@example.com";

const lastRole = (request: MockRequest) =>
  (request.body as { messages: { role: string }[] }).messages.at(-1)?.role;

/** Every file under `dir`, read as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"));
}

test("a tool that throws with a secret or PII in its message: the model, session and audit see placeholders", async () => {
  const mock = await startMockProvider({
    turns: (request) =>
      lastRole(request) === "tool"
        ? { text: "done" }
        : { toolCalls: [{ id: "c1", name: "lookup", arguments: {} }] },
  });
  cleanups.push(() => mock.close());
  const dir = mkdtempSync(join(tmpdir(), "agentry-thrown-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const lookup = defineTool({
    name: "lookup",
    description: "Looks a customer up.",
    parameters: z.object({}),
    readOnly: true,
    execute: () => {
      throw new Error(`upstream rejected key ${KEY} for ${EMAIL}`);
    },
  });
  const loaded = await loadConfigText(
    `[defaults]
agent = "a"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai, { apiKeyVar: "MOCK_KEY" })}
[audit]
path = "${join(dir, "audit.jsonl")}"

[agents.a]
tools = ["lookup"]
mode = "auto"
`,
    { tools: [lookup] },
  );
  const runtime = createRuntime(loaded, {
    tools: [lookup],
    stateDir: join(dir, "state"),
    env: { MOCK_KEY: KEY },
    collectGarbage: false,
  });
  cleanups.push(() => runtime.close());

  const result = await runtime.run({ prompt: "find her", session: "s1" });

  expect(result.status).toBe("ok");
  const toolMessage = JSON.stringify(mock.requests.at(-1)?.body);
  expect(toolMessage).toContain("lookup failed unexpectedly");
  expect(toolMessage).toMatch(/upstream rejected key \[PII:secret:[0-9a-f]+\] for \[PII:email:[0-9a-f]+\]/);
  for (const text of [toolMessage, ...filesUnder(dir)]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(EMAIL);
  }
});

test("a throwing tool that exceeds failures.max_consecutive stops the run after that turn (tool_error)", async () => {
  const mock = await startMockProvider({
    turns: (request) => {
      const results = (request.body as { messages: { role: string }[] }).messages.filter(
        (m) => m.role === "tool",
      );
      return results.length >= 2
        ? { text: "carried on" }
        : { toolCalls: [{ id: `c${results.length}`, name: "lookup", arguments: { n: results.length } }] };
    },
  });
  cleanups.push(() => mock.close());
  const dir = mkdtempSync(join(tmpdir(), "agentry-thrown-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const lookup = defineTool({
    name: "lookup",
    description: "Looks a customer up.",
    parameters: z.object({ n: z.number() }),
    readOnly: true,
    execute: () => {
      throw new Error("upstream down");
    },
  });
  const loaded = await loadConfigText(
    `${mockDefaultsToml(mock.baseUrls.openai, "a")}
[agents.a]
tools = ["lookup"]
mode = "auto"
policy = { failures = { max_consecutive = 1 } }
`,
    { tools: [lookup] },
  );
  const runtime = createRuntime(loaded, { tools: [lookup], stateDir: dir, collectGarbage: false });
  cleanups.push(() => runtime.close());
  const result = await runtime.run({ prompt: "look it up" });
  expect([result.status, result.stopReason, result.exitCode]).toEqual(["failed", "tool_error", 1]);
  expect(mock.requests).toHaveLength(2);
});
