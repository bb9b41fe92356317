import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import { anthropicProtocol } from "../../src/providers/anthropic/protocol.ts";
import { geminiProtocol } from "../../src/providers/gemini/protocol.ts";
import type { WireProtocol } from "../../src/providers/http/wire-protocol.ts";
import { openAiProtocol } from "../../src/providers/openai/protocol.ts";
import { ProviderError } from "../../src/spec/errors.ts";
import type { ModelEvent } from "../../src/spec/model.ts";
import { anthropicDialect } from "../../src/testing/mock-provider/anthropic-dialect.ts";
import { prepareTurn } from "../../src/testing/mock-provider/chunking.ts";
import type { WireDialect } from "../../src/testing/mock-provider/dialect.ts";
import { geminiDialect } from "../../src/testing/mock-provider/gemini-dialect.ts";
import { openAiDialect } from "../../src/testing/mock-provider/openai-dialect.ts";
import type { MockTurn } from "../../src/testing/mock-provider/types.ts";
import { ask } from "./support.ts";

const settings = { baseUrl: "http://127.0.0.1:1", apiKey: "k", headers: {}, maxOutputTokens: undefined };
const ctx = { providerId: "fixture", keyVariable: undefined, secrets: [] };
const fixture = (provider: string, name: string) =>
  readFileSync(join(import.meta.dir, "../../src/providers", provider, "__fixtures__", name), "utf8");

/** Runs SSE text through a protocol's decoder exactly as the HTTP layer does. */
function decode(protocol: WireProtocol, sse: string): ModelEvent[] {
  const decoder = protocol.createDecoder(ctx, { model: "m", ...ask("x") });
  const out: ModelEvent[] = [];
  const messages: { event: string | undefined; data: string }[] = [];
  createParser({ onEvent: (m) => messages.push({ event: m.event, data: m.data }) }).feed(sse);
  try {
    for (const message of messages) {
      out.push(...decoder.push(message));
      if (out.at(-1)?.type === "finish") return out;
    }
    out.push(...decoder.end());
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    out.push({ type: "error", error: err });
  }
  return out;
}

const text = (events: ModelEvent[]) =>
  events.flatMap((e) => (e.type === "text-delta" ? [e.text] : [])).join("");
const calls = (events: ModelEvent[]) => events.flatMap((e) => (e.type === "tool-call-end" ? [e.call] : []));

describe("provider parsers replay the documented stream fixtures", () => {
  test("openai text", () => {
    const events = decode(
      openAiProtocol({ ...settings, legacyMaxTokens: false }),
      fixture("openai", "text.sse"),
    );
    expect(text(events)).toBe("Hello! How can I help?");
    expect(events.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 19, outputTokens: 10 } },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("openai parallel tool calls", () => {
    const events = decode(
      openAiProtocol({ ...settings, legacyMaxTokens: false }),
      fixture("openai", "parallel-tool-calls.sse"),
    );
    expect(calls(events)).toEqual([
      { id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "call_ABPRQ6EBIq7CfQvY0Ue6NCgr", name: "get_weather", arguments: '{"city":"Rome"}' },
    ]);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
  });

  test("anthropic text with ping", () => {
    const events = decode(anthropicProtocol(settings), fixture("anthropic", "text.sse"));
    expect(text(events)).toBe("Hello! How can I help?");
    expect(events.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 25, outputTokens: 15 } },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("anthropic parallel tool_use with input_json_delta (first fragment empty)", () => {
    const events = decode(anthropicProtocol(settings), fixture("anthropic", "parallel-tool-use.sse"));
    expect(text(events)).toBe("Checking both.");
    expect(calls(events)).toEqual([
      { id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: '{"city": "Paris"}' },
      { id: "toolu_01Qn8F3pD2ZyV9vZc1b7X9aK", name: "get_weather", arguments: '{"city": "Rome"}' },
    ]);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
  });

  test("anthropic error event mid-stream", () => {
    const events = decode(anthropicProtocol(settings), fixture("anthropic", "error-mid-stream.sse"));
    const last = events.at(-1);
    expect(last?.type === "error" && last.error.kind).toBe("overloaded");
    expect(events.some((e) => e.type === "finish")).toBe(false);
  });

  test("gemini text over CRLF frames, usage from the last chunk", () => {
    const events = decode(geminiProtocol(settings), fixture("gemini", "text.sse"));
    expect(text(events)).toBe("Hello! How can I help?");
    expect(events.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 8, outputTokens: 9 } },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("gemini parallel function calls get distinct synthesised ids", () => {
    const events = decode(geminiProtocol(settings), fixture("gemini", "parallel-function-calls.sse"));
    const found = calls(events);
    expect(found.map((c) => [c.name, c.arguments])).toEqual([
      ["get_weather", '{"city":"Paris"}'],
      ["get_weather", '{"city":"Rome"}'],
    ]);
    expect(found[0]?.id).not.toBe(found[1]?.id as string);
    expect(events.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
  });
});

/** The structure of an SSE stream: per frame, the event name and the JSON key paths, consecutive repeats collapsed. */
function shape(sse: string): string[] {
  const out: string[] = [];
  const paths = (value: unknown, prefix: string, into: string[]) => {
    if (Array.isArray(value)) for (const item of value) paths(item, `${prefix}[]`, into);
    else if (value && typeof value === "object") {
      for (const [key, sub] of Object.entries(value)) {
        into.push(`${prefix}.${key}`);
        paths(sub, `${prefix}.${key}`, into);
      }
    }
  };
  createParser({
    onEvent: (m) => {
      const keys: string[] = [];
      if (m.data !== "[DONE]") paths(JSON.parse(m.data), "", keys);
      const signature = `${m.event ?? "-"} ${m.data === "[DONE]" ? "[DONE]" : [...new Set(keys)].sort().join(",")}`;
      if (out.at(-1) !== signature) out.push(signature);
    },
  }).feed(sse);
  return out;
}

function mockStream(dialect: WireDialect, turn: MockTurn, model: string): string {
  const prepared = prepareTurn(turn, {}, 100, 1, "call_");
  return dialect.frames(prepared, model, { includeUsage: true, seed: 1 }).join("");
}

describe("the mock provider streams the same shapes as the fixtures", () => {
  const parallel: MockTurn = {
    text: "Checking both.",
    toolCalls: [
      { name: "get_weather", arguments: { city: "Paris" } },
      { name: "get_weather", arguments: { city: "Rome" } },
    ],
  };
  const cases = [
    ["openai", openAiDialect, "text.sse", { text: "Hello! How can I help?" }],
    ["openai", openAiDialect, "parallel-tool-calls.sse", { toolCalls: parallel.toolCalls }],
    ["anthropic", anthropicDialect, "text.sse", { text: "Hello! How can I help?" }],
    ["anthropic", anthropicDialect, "parallel-tool-use.sse", parallel],
    ["gemini", geminiDialect, "text.sse", { text: "Hello! How can I help?" }],
    ["gemini", geminiDialect, "parallel-function-calls.sse", parallel],
  ] as const;
  for (const [provider, dialect, name, turn] of cases) {
    test(`${provider} ${name}`, () => {
      const expected = fixture(provider, name);
      const actual = mockStream(dialect, turn, "m");
      expect(shape(actual)).toEqual(shape(expected));
      if (provider === "gemini") expect(actual.includes("\r\n\r\n")).toBe(true);
    });
  }
});
