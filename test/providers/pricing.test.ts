import { expect, test } from "bun:test";
import { costUsd, createPriceBook, priceOf } from "../../src/providers/pricing.ts";

test("cost uses input, cached input and output rates per million tokens", () => {
  const cost = costUsd("openai/gpt-4.1", {
    inputTokens: 1_000_000,
    outputTokens: 500_000,
    cachedInputTokens: 200_000,
  });
  expect(cost.known).toBe(true);
  expect(cost.usd).toBeCloseTo(0.8 * 2 + 0.2 * 0.5 + 0.5 * 8, 10);
});

test("dated snapshots and replay refs resolve to the base model", () => {
  expect(priceOf("anthropic/claude-sonnet-4-5-20250929")).toEqual(priceOf("x/claude-sonnet-4-5"));
  expect(priceOf("openai/gpt-4.1-mini-2025-04-14")?.input).toBe(0.4);
  expect(priceOf("replay/gemini/gemini-2.5-flash")?.output).toBe(2.5);
  expect(priceOf("gemini/models/gemini-2.5-pro")?.input).toBe(1.25);
});

test("the longest matching name wins (mini is not priced as its parent)", () => {
  expect(priceOf("openai/gpt-4o-mini")?.input).toBe(0.15);
  expect(priceOf("openai/gpt-4o")?.input).toBe(2.5);
});

test("config overrides win, keyed by provider/model or bare model", () => {
  const overrides = {
    "openai/gpt-4.1": { input_per_mtok: 1, output_per_mtok: 1 },
    "my-local": { input_per_mtok: 0.5, output_per_mtok: 2, cached_input_per_mtok: 0.1 },
  };
  expect(costUsd("openai/gpt-4.1", { inputTokens: 1_000_000, outputTokens: 1_000_000 }, overrides).usd).toBe(
    2,
  );
  expect(costUsd("ollama/my-local", { inputTokens: 2_000_000, outputTokens: 0 }, overrides).usd).toBe(1);
});

test("unknown models cost 0 and say so", () => {
  expect(costUsd("ollama/llama3", { inputTokens: 10, outputTokens: 10 })).toEqual({ usd: 0, known: false });
});

test("a price book prices like priceOf/costUsd with its overrides, looking each model up once", () => {
  const overrides = { "my-local": { input_per_mtok: 0.5, output_per_mtok: 2 } };
  const book = createPriceBook(overrides);
  for (const ref of ["ollama/my-local", "openai/gpt-4.1-mini-2025-04-14", "ollama/llama3"]) {
    expect(book.priceOf(ref)).toEqual(priceOf(ref, overrides));
    expect(book.priceOf(ref)).toBe(book.priceOf(ref));
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000 };
    expect(book.costUsd(ref, usage)).toEqual(costUsd(ref, usage, overrides));
  }
  expect(createPriceBook().priceOf("ollama/my-local")).toBeUndefined();
});
