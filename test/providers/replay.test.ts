import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config/schema.ts";
import { openModel } from "../../src/providers/registry.ts";
import { ConfigError, UsageError } from "../../src/spec/errors.ts";
import type { Message, ModelEvent } from "../../src/spec/model.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { ask, configFor, events, lastError, PROTOCOLS, testOptions, WEATHER_TOOL } from "./support.ts";

const p = PROTOCOLS[1];
let dir = "";
let mock: MockProvider | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "agentry-replay-"));
});
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const FIRST: Message[] = [{ role: "user", content: "weather in Oslo?" }];
function second(turn1: ModelEvent[], output: string): Message[] {
  const calls = turn1.flatMap((e) => (e.type === "tool-call-end" ? [e.call] : []));
  return [
    ...FIRST,
    { role: "assistant", content: "", toolCalls: calls },
    ...calls.map((c) => ({ role: "tool" as const, toolCallId: c.id, toolName: c.name, content: output })),
  ];
}

async function record(file: string) {
  mock = await startMockProvider({
    turns: [
      { toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Oslo" } }] },
      { text: "It is 4C in Oslo.", usage: { inputTokens: 50, outputTokens: 9 } },
    ],
  });
  const { options } = testOptions(p, { recordFile: file });
  const model = openModel(configFor(p, mock), "anthropic/claude-sonnet-4-5", options);
  const turn1 = await events(model.stream(ask("", { messages: FIRST, tools: [WEATHER_TOOL] })));
  const turn2 = await events(model.stream(ask("", { messages: second(turn1, "4C"), tools: [WEATHER_TOOL] })));
  return { turn1, turn2 };
}

test("record then replay reproduces identical event streams, offline", async () => {
  const file = join(dir, "c.jsonl");
  const recorded = await record(file);
  const lines = readFileSync(file, "utf8").trim().split("\n");
  expect(JSON.parse(lines[0] as string)).toMatchObject({
    agentry_cassette: 1,
    model: "anthropic/claude-sonnet-4-5",
  });
  expect(lines).toHaveLength(3);
  await mock?.close();
  mock = undefined;
  const model = openModel({}, "ignored/model", { replayFile: file });
  expect(model.ref).toBe("replay/anthropic/claude-sonnet-4-5");
  const turn1 = await events(model.stream(ask("", { messages: FIRST, tools: [WEATHER_TOOL] })));
  expect(turn1).toEqual(recorded.turn1);
  const turn2 = await events(
    model.stream(ask("", { messages: second(turn1, "different output"), tools: [] })),
  );
  expect(turn2).toEqual(recorded.turn2);
});

test("a diverging conversation names the turn and what differed", async () => {
  const file = join(dir, "c.jsonl");
  const { turn1 } = await record(file);
  const model = openModel({}, "x/y", { replayFile: file });
  const changed = second(turn1, "4C");
  changed[0] = { role: "user", content: "weather in Bergen?" };
  const error = lastError(await events(model.stream(ask("", { messages: changed, tools: [] }))));
  expect(error.kind).toBe("replay_divergence");
  expect(error.exitCode).toBe(1);
  expect(error.message).toContain("turn 2");
  expect(error.message).toContain("weather in Bergen?");
  const wrongTool = second(turn1, "4C").map((m) =>
    m.role === "tool" ? { ...m, toolName: "other_tool" } : m,
  );
  const toolError = lastError(await events(model.stream(ask("", { messages: wrongTool, tools: [] }))));
  expect(toolError.message).toContain("tool result");
  expect(toolError.message).toContain("other_tool");
});

test("asking for more turns than recorded is a divergence", async () => {
  const file = join(dir, "c.jsonl");
  const { turn1 } = await record(file);
  const model = openModel({}, "x/y", { replayFile: file });
  const third: Message[] = [
    ...second(turn1, "4C"),
    { role: "assistant", content: "It is 4C in Oslo." },
    { role: "user", content: "and tomorrow?" },
  ];
  const error = lastError(await events(model.stream(ask("", { messages: third, tools: [] }))));
  expect(error.kind).toBe("replay_divergence");
  expect(error.message).toContain("turn 3");
  expect(error.message).toContain("more turns requested than recorded");
});

test("the replay provider kind plays a cassette named in the config, relative to configDir", async () => {
  const file = join(dir, "demo.jsonl");
  const header = { agentry_cassette: 1, model: "demo/m" };
  const turn = {
    turn: 1,
    request: { messages: [{ role: "user", content: "hello" }] },
    events: [
      { type: "text-delta", text: "hi!" },
      { type: "finish", reason: "stop" },
    ],
  };
  writeFileSync(file, `${JSON.stringify(header)}\n${JSON.stringify(turn)}\n`);
  const config: Config = { providers: { demo: { kind: "replay", cassette: "demo.jsonl" } } };
  const list = await events(openModel(config, "demo/m", { configDir: dir }).stream(ask("hello")));
  expect(list).toEqual(turn.events as ModelEvent[]);
});

test("bad cassettes are reported with file and line", () => {
  const file = join(dir, "bad.jsonl");
  writeFileSync(file, `${JSON.stringify({ agentry_cassette: 1 })}\n{"turn":1}\n`);
  expect(() => openModel({}, "x/y", { replayFile: file })).toThrow(UsageError);
  expect(() => openModel({}, "x/y", { replayFile: file })).toThrow(/bad\.jsonl:2/);
  const config: Config = { providers: { demo: { kind: "replay", cassette: file } } };
  expect(() => openModel(config, "demo/m")).toThrow(ConfigError);
  expect(() => openModel({}, "x/y", { replayFile: join(dir, "missing.jsonl") })).toThrow(UsageError);
});
