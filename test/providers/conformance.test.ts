import { afterEach, describe, expect, test } from "bun:test";
import { collectTurn, openModel } from "../../src/providers/registry.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { ask, configFor, events, PROTOCOLS, testOptions, WEATHER_TOOL } from "./support.ts";

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

for (const p of PROTOCOLS) {
  describe(`${p.kind} over its wire protocol`, () => {
    const open = async (mockOptions: Parameters<typeof startMockProvider>[0]) => {
      mock = await startMockProvider(mockOptions);
      const { options } = testOptions(p);
      return openModel(configFor(p, mock), `${p.kind}/${p.model}`, options);
    };

    test("streams text in several deltas, then usage and finish", async () => {
      const model = await open({
        turns: [{ text: "Hello there, streaming world!", usage: { inputTokens: 12, outputTokens: 7 } }],
      });
      const list = await events(model.stream(ask("hi")));
      const deltas = list.filter((e) => e.type === "text-delta");
      expect(deltas.length).toBeGreaterThan(2);
      expect(deltas.map((e) => (e.type === "text-delta" ? e.text : "")).join("")).toBe(
        "Hello there, streaming world!",
      );
      expect(list.at(-2)).toEqual({ type: "usage", usage: { inputTokens: 12, outputTokens: 7 } });
      expect(list.at(-1)).toEqual({ type: "finish", reason: "stop" });
    });

    test("one tool call", async () => {
      const model = await open({
        turns: [{ toolCalls: [{ id: "call_a", name: "get_weather", arguments: { city: "Paris" } }] }],
      });
      const turn = await collectTurn(model.stream(ask("weather?", { tools: [WEATHER_TOOL] })));
      expect(turn.finish).toBe("tool-calls");
      expect(turn.toolCalls).toHaveLength(1);
      expect(turn.toolCalls[0]?.name).toBe("get_weather");
      expect(JSON.parse(turn.toolCalls[0]?.arguments ?? "")).toEqual({ city: "Paris" });
      if (p.kind !== "gemini") expect(turn.toolCalls[0]?.id).toBe("call_a");
    });

    test("several tool calls in one turn, with text, arguments split byte by byte", async () => {
      const model = await open({
        byteByByte: true,
        turns: [
          {
            text: "Checking both.",
            toolCalls: [
              { id: "call_1", name: "get_weather", arguments: { city: "Paris", unit: "c" } },
              { id: "call_2", name: "get_weather", arguments: { city: "Zürich — ünïcode" } },
            ],
          },
        ],
      });
      const list = await events(model.stream(ask("both?", { tools: [WEATHER_TOOL] })));
      const ends = list.flatMap((e) => (e.type === "tool-call-end" ? [e] : []));
      expect(ends.map((e) => e.index)).toEqual([0, 1]);
      expect(ends.map((e) => JSON.parse(e.call.arguments))).toEqual([
        { city: "Paris", unit: "c" },
        { city: "Zürich — ünïcode" },
      ]);
      expect(new Set(ends.map((e) => e.call.id)).size).toBe(2);
      const starts = list.filter((e) => e.type === "tool-call-start");
      expect(starts).toHaveLength(2);
      if (p.kind !== "gemini") {
        expect(list.filter((e) => e.type === "tool-call-delta").length).toBeGreaterThan(20);
      }
      expect(list.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
    });

    test("reports cached input tokens", async () => {
      const model = await open({
        turns: [{ text: "ok", usage: { inputTokens: 100, outputTokens: 3, cachedInputTokens: 40 } }],
      });
      const turn = await collectTurn(model.stream(ask("hi")));
      expect(turn.usage).toEqual({ inputTokens: 100, outputTokens: 3, cachedInputTokens: 40 });
    });

    test("maps a length stop", async () => {
      const model = await open({ turns: [{ text: "truncated answ", finish: "length" }] });
      const turn = await collectTurn(model.stream(ask("long")));
      expect(turn.finish).toBe("length");
    });
  });
}
