import { afterEach, expect, test } from "bun:test";
import { collectTurn, openModel } from "../../src/providers/registry.ts";
import type { Message } from "../../src/spec/model.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { ask, configFor, KEY, PROTOCOLS, testOptions, WEATHER_TOOL } from "./support.ts";

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const HISTORY: Message[] = [
  { role: "user", content: "Weather in Paris and Rome?" },
  {
    role: "assistant",
    content: "Looking.",
    toolCalls: [
      { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "call_2", name: "get_weather", arguments: '{"city":"Rome"}' },
    ],
  },
  { role: "tool", toolCallId: "call_1", toolName: "get_weather", content: "18C" },
  { role: "tool", toolCallId: "call_2", toolName: "get_weather", content: "boom", isError: true },
];

async function sent(index: number) {
  const p = PROTOCOLS[index]!;
  mock = await startMockProvider({ turns: [{ text: "done" }] });
  const { options } = testOptions(p);
  await collectTurn(
    openModel(configFor(p, mock), `${p.kind}/${p.model}`, options).stream(
      ask("", { messages: HISTORY, tools: [WEATHER_TOOL], maxOutputTokens: 321 }),
    ),
  );
  const request = mock.requests[0]!;
  return { request, body: request.body as Record<string, unknown> };
}

test("openai: bearer key, stream with include_usage, system message, tool messages", async () => {
  const { request, body } = await sent(0);
  expect(request.path).toBe("/v1/chat/completions");
  expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
  expect(body.stream).toBe(true);
  expect(body.stream_options).toEqual({ include_usage: true });
  expect(body.max_completion_tokens).toBe(321);
  const messages = body.messages as Record<string, unknown>[];
  expect(messages[0]).toEqual({ role: "system", content: "You are terse." });
  expect(messages[2]).toMatchObject({
    role: "assistant",
    tool_calls: [
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
    ],
  });
  expect(messages.slice(3)).toEqual([
    { role: "tool", tool_call_id: "call_1", content: "18C" },
    { role: "tool", tool_call_id: "call_2", content: "boom" },
  ]);
  expect(body.tools).toEqual([
    {
      type: "function",
      function: {
        name: "get_weather",
        description: WEATHER_TOOL.description,
        parameters: WEATHER_TOOL.parameters,
      },
    },
  ]);
});

test("anthropic: x-api-key, version header, top-level system, merged tool_result blocks", async () => {
  const { request, body } = await sent(1);
  expect(request.path).toBe("/v1/messages");
  expect(request.headers["x-api-key"]).toBe(KEY);
  expect(request.headers["anthropic-version"]).toBe("2023-06-01");
  expect(body.system).toBe("You are terse.");
  expect(body.max_tokens).toBe(321);
  expect(body.stream).toBe(true);
  const messages = body.messages as { role: string; content: unknown[] }[];
  expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  expect(messages[1]?.content).toEqual([
    { type: "text", text: "Looking." },
    { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
    { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Rome" } },
  ]);
  expect(messages[2]?.content).toEqual([
    { type: "tool_result", tool_use_id: "call_1", content: "18C" },
    { type: "tool_result", tool_use_id: "call_2", content: "boom", is_error: true },
  ]);
  const tools = body.tools as Record<string, unknown>[];
  expect(tools[0]).toMatchObject({
    name: "get_weather",
    input_schema: { type: "object", required: ["city"] },
  });
});

test("anthropic: max_tokens defaults when nothing is configured", async () => {
  const p = PROTOCOLS[1];
  mock = await startMockProvider({ turns: [{ text: "ok" }] });
  const { options } = testOptions(p);
  await collectTurn(openModel(configFor(p, mock), "anthropic/claude-haiku-4-5", options).stream(ask("hi")));
  const body = mock.requests[0]?.body as Record<string, unknown>;
  expect(body.max_tokens).toBe(4096);
});

test("gemini: key header, path, systemInstruction, OpenAPI-subset schema, functionResponse parts", async () => {
  const { request, body } = await sent(2);
  expect(request.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  expect(request.headers["x-goog-api-key"]).toBe(KEY);
  expect(body.systemInstruction).toEqual({ parts: [{ text: "You are terse." }] });
  expect(body.generationConfig).toEqual({ maxOutputTokens: 321 });
  const contents = body.contents as { role: string; parts: unknown[] }[];
  expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
  expect(contents[1]?.parts).toEqual([
    { text: "Looking." },
    { functionCall: { name: "get_weather", args: { city: "Paris" } } },
    { functionCall: { name: "get_weather", args: { city: "Rome" } } },
  ]);
  expect(contents[2]?.parts).toEqual([
    { functionResponse: { name: "get_weather", response: { content: "18C" } } },
    { functionResponse: { name: "get_weather", response: { error: "boom" } } },
  ]);
  const declarations = (body.tools as { functionDeclarations: Record<string, unknown>[] }[])[0]
    ?.functionDeclarations;
  expect(declarations?.[0]?.parameters).toEqual({
    type: "object",
    properties: {
      city: { type: "string", description: "City name" },
      unit: { type: "string", nullable: true },
    },
    required: ["city"],
  });
});

test("gemini: synthesised call ids are stable per conversation position", async () => {
  const p = PROTOCOLS[2];
  mock = await startMockProvider({
    turns: () => ({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }),
  });
  const { options } = testOptions(p);
  const model = openModel(configFor(p, mock), "gemini/gemini-2.5-flash", options);
  const first = await collectTurn(model.stream(ask("x", { tools: [WEATHER_TOOL] })));
  const again = await collectTurn(model.stream(ask("x", { tools: [WEATHER_TOOL] })));
  const later = await collectTurn(model.stream(ask("", { messages: HISTORY, tools: [WEATHER_TOOL] })));
  expect(first.toolCalls[0]?.id).toBe(again.toolCalls[0]?.id as string);
  expect(later.toolCalls[0]?.id).not.toBe(first.toolCalls[0]?.id as string);
});

test("openai: a growing history is sent the same as a fresh conversion on every turn", async () => {
  const { openAiBody } = await import("../../src/providers/openai/request.ts");
  const { createJsonCache } = await import("../../src/providers/openai/json-cache.ts");
  const cache = createJsonCache();
  const history: Message[] = [HISTORY[0] as Message];
  const request = () => ({ model: "m", ...ask("", { messages: history, tools: [WEATHER_TOOL] }) });
  const first = openAiBody(request(), cache, false);
  history.push(...HISTORY.slice(1));
  const again = openAiBody(request(), cache, false);
  const fresh = openAiBody(
    {
      model: "m",
      ...ask("", { messages: structuredClone(history), tools: [structuredClone(WEATHER_TOOL)] }),
    },
    createJsonCache(),
    false,
  );
  expect(again).toBe(fresh);
  expect(JSON.parse(again).messages.slice(0, 2)).toEqual(JSON.parse(first).messages);
  expect(Object.keys(JSON.parse(again))).toEqual(["model", "messages", "stream", "stream_options", "tools"]);
  expect(
    JSON.parse(openAiBody({ ...request(), maxOutputTokens: 7, temperature: 0 }, cache, true)),
  ).toMatchObject({
    max_tokens: 7,
    temperature: 0,
  });
  expect(JSON.parse(openAiBody({ model: "m", messages: [], tools: [] }, cache, false)).messages).toEqual([]);
});

test("openai: a history grown one message at a time over 2 000 turns is sent exactly, and the last body is valid JSON", async () => {
  const { openAiBody } = await import("../../src/providers/openai/request.ts");
  const { createJsonCache } = await import("../../src/providers/openai/json-cache.ts");
  const cache = createJsonCache();
  const history: Message[] = [];
  let body = "";
  for (let turn = 0; turn < 2_000; turn++) {
    history.push({ role: turn % 2 ? "assistant" : "user", content: `message ${turn} \u00e9\u2028"` });
    body = openAiBody({ model: "m", ...ask("", { messages: history, tools: [WEATHER_TOOL] }) }, cache, false);
  }
  const fresh = openAiBody(
    {
      model: "m",
      ...ask("", { messages: structuredClone(history), tools: [structuredClone(WEATHER_TOOL)] }),
    },
    createJsonCache(),
    false,
  );
  expect(body).toBe(fresh);
  expect(
    JSON.parse(body)
      .messages.slice(-2_000)
      .map((m: { content: string }) => m.content),
  ).toEqual(history.map((m) => m.content));
  expect(new TextDecoder().decode(new TextEncoder().encode(body))).toBe(body);
});

test("openai: a conversation whose earlier messages were replaced or removed is sent as it now is", async () => {
  const { openAiBody } = await import("../../src/providers/openai/request.ts");
  const { createJsonCache } = await import("../../src/providers/openai/json-cache.ts");
  const cache = createJsonCache();
  const history: Message[] = HISTORY.map((message) => ({ ...message }));
  const body = (system?: string) =>
    openAiBody(
      { model: "m", ...ask("", { messages: history, tools: [], ...(system ? { system } : {}) }) },
      cache,
      false,
    );
  const fresh = (system?: string) =>
    openAiBody(
      {
        model: "m",
        ...ask("", { messages: structuredClone(history), tools: [], ...(system ? { system } : {}) }),
      },
      createJsonCache(),
      false,
    );
  expect(body()).toBe(fresh());
  // An earlier message replaced by another object (as repaired tool arguments are written back).
  history[1] = { role: "user", content: "replaced" };
  expect(body()).toBe(fresh());
  expect(JSON.parse(body()).messages).toContainEqual({ role: "user", content: "replaced" });
  // The last message replaced, then one appended.
  history[history.length - 1] = { role: "user", content: "last, replaced" };
  history.push({ role: "user", content: "appended" });
  expect(body("be brief")).toBe(fresh("be brief"));
  // Fewer messages than were sent before.
  history.splice(1, 2);
  expect(body()).toBe(fresh());
  history.length = 0;
  expect(JSON.parse(body("only the system")).messages).toEqual([
    { role: "system", content: "only the system" },
  ]);
});
