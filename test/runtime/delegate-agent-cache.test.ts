import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigText } from "../../src/index.ts";
import { LruMap } from "../../src/runtime/lru-map.ts";
import {
  agentConfig,
  INLINE_AGENTS_KEPT,
  resolveAgent,
  resolveInlineAgent,
} from "../../src/runtime/resolve-agent.ts";
import { createRuntimeContext } from "../../src/runtime/runtime.ts";
import { mockDefaultsToml, SHELL_TOOL_TOML } from "../support/workspace.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("LruMap", () => {
  test("forgets the least recently used entry beyond its capacity; get and set make an entry recent", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1).set("b", 2);
    expect(map.get("a")).toBe(1);
    map.set("c", 3);
    expect([map.get("a"), map.get("b"), map.get("c"), map.size]).toEqual([1, undefined, 3, 2]);
    map.set("a", 4);
    map.set("d", 5);
    expect([map.get("a"), map.get("c"), map.get("d")]).toEqual([4, undefined, 5]);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});

test("delegate's agents, one per model-chosen configuration, are bounded per runtime; an evicted one is assembled again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "agentry-inline-cache-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const loaded = await loadConfigText(
    `${mockDefaultsToml("http://127.0.0.1:9/v1", "parent")}
${SHELL_TOOL_TOML}
[agents.parent]
tools = ["sh"]
`,
  );
  const rt = createRuntimeContext(loaded, { stateDir: dir, env: {} });
  cleanups.push(() => rt.mcp.close());
  const parent = await resolveAgent(rt, "parent");
  const own = agentConfig(rt, "parent");
  const inline = (maxTurns: number) =>
    resolveInlineAgent(rt, "parent.delegate", { ...own, max_turns: maxTurns }, parent.pipeline);

  const first = await inline(1);
  expect(await inline(1)).toBe(first);
  for (let turns = 2; turns <= INLINE_AGENTS_KEPT + 10; turns++) await inline(turns);
  expect(rt.inlineAgents.size).toBe(INLINE_AGENTS_KEPT);
  expect(rt.agents.size).toBe(1);
  const latest = await inline(INLINE_AGENTS_KEPT + 10);
  expect(await inline(INLINE_AGENTS_KEPT + 10)).toBe(latest);
  const again = await inline(1);
  expect(again).not.toBe(first);
  expect(again.settings.maxTurns).toBe(1);
  expect(again.pipeline).toBe(parent.pipeline);
  expect(rt.inlineAgents.size).toBe(INLINE_AGENTS_KEPT);
});
