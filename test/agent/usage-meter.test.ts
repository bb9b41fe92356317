import { describe, expect, test } from "bun:test";
import { UsageMeter } from "../../src/agent/usage-meter.ts";
import { AnthropicDecoder } from "../../src/providers/anthropic/decoder.ts";
import { OpenAiDecoder } from "../../src/providers/openai/decoder.ts";
import type { ModelEvent } from "../../src/spec/model.ts";

const ctx = { providerId: "p", keyVariable: undefined, secrets: [] };

describe("the budget cannot be walked back by reported usage", () => {
  test("negative or non-numeric usage and cost count as zero; the budget still stops the run", () => {
    const meter = new UsageMeter({ tokens: 1000, usd: 1 });
    meter.add({ inputTokens: 900, outputTokens: 50 }, 0.5);
    meter.add({ inputTokens: -1_000_000, outputTokens: Number.NaN }, -10);
    expect(meter.totals()).toEqual({ input_tokens: 900, output_tokens: 50, cost_usd: 0.5 });
    meter.add({ inputTokens: 60, outputTokens: 0 }, 0);
    expect(meter.exceeded()).toBe("tokens");
    expect(meter.remaining()).toEqual({ tokens: 0, usd: 0.5 });
  });

  test("an infinite figure crosses the budget instead of being ignored", () => {
    const meter = new UsageMeter({ tokens: 10 });
    meter.add({ inputTokens: Number.POSITIVE_INFINITY, outputTokens: 0 }, 0);
    expect(meter.exceeded()).toBe("tokens");
  });

  test("decoders read token counts only as non-negative integers", () => {
    const openai = new OpenAiDecoder(ctx);
    const events: ModelEvent[] = [
      ...openai.push({ data: JSON.stringify({ choices: [{ index: 0, delta: { content: "hi" } }] }) }),
      ...openai.push({
        data: JSON.stringify({
          choices: [],
          usage: {
            prompt_tokens: -500,
            completion_tokens: 2.5,
            prompt_tokens_details: { cached_tokens: -1 },
          },
        }),
      }),
      ...openai.push({ data: "[DONE]" }),
    ];
    expect(events.find((event) => event.type === "usage")).toBeUndefined();
    const anthropic = new AnthropicDecoder(ctx);
    const start = anthropic.push({
      event: "message_start",
      data: JSON.stringify({
        type: "message_start",
        message: { usage: { input_tokens: -7, output_tokens: 3 } },
      }),
    });
    const stop = anthropic.push({ event: "message_stop", data: JSON.stringify({ type: "message_stop" }) });
    const usage = [...start, ...stop].find((event) => event.type === "usage");
    expect(usage).toEqual({ type: "usage", usage: { inputTokens: 0, outputTokens: 3 } });
  });
});
