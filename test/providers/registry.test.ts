import { afterEach, expect, test } from "bun:test";
import type { Config } from "../../src/config/schema.ts";
import { collectTurn, createProvider, openModel, parseModelRef } from "../../src/providers/registry.ts";
import { ConfigError, ProviderError, UsageError } from "../../src/spec/errors.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { ask, configFor, events, KEY, PROTOCOLS, providerConfig, testOptions } from "./support.ts";

const openai = PROTOCOLS[0];
const anthropic = PROTOCOLS[1];
let mocks: MockProvider[] = [];
afterEach(async () => {
  await Promise.all(mocks.map((m) => m.close()));
  mocks = [];
});
async function mockWith(options: Parameters<typeof startMockProvider>[0]) {
  const mock = await startMockProvider(options);
  mocks.push(mock);
  return mock;
}

test("parseModelRef splits at the first slash", () => {
  expect(parseModelRef("openrouter/meta-llama/llama-3")).toEqual({
    providerId: "openrouter",
    model: "meta-llama/llama-3",
  });
  expect(() => parseModelRef("gpt-4")).toThrow(UsageError);
});

test("an unset key variable is a ConfigError naming it, raised when the provider is used", () => {
  const config: Config = { providers: { openai: { kind: "openai", api_key: `\${MISSING_KEY_FOR_TEST}` } } };
  expect(() => openModel(config, "openai/gpt-4.1", { env: {} })).toThrow(ConfigError);
  try {
    openModel(config, "openai/gpt-4.1", { env: {} });
  } catch (err) {
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toContain("MISSING_KEY_FOR_TEST");
  }
});

test("hosted kinds read their usual variable when api_key is omitted; resolved secrets reach the sink", () => {
  const secrets: string[] = [];
  expect(() => createProvider("anthropic", { kind: "anthropic" }, { env: {} })).toThrow(/ANTHROPIC_API_KEY/);
  createProvider(
    "anthropic",
    { kind: "anthropic", headers: { "x-extra": `\${EXTRA}` } },
    {
      env: { ANTHROPIC_API_KEY: KEY, EXTRA: "hdr-secret" },
      secrets: (values) => secrets.push(...values),
    },
  );
  expect(secrets).toEqual([KEY, "hdr-secret"]);
  expect(() => createProvider("local", { kind: "ollama" }, { env: {} })).not.toThrow();
});

test("an unknown provider is a ConfigError listing the configured ones", () => {
  expect(() => openModel({ providers: { a: { kind: "ollama" } } }, "b/x")).toThrow(/unknown provider "b"/);
});

test("fallback: a retryable failure before any output moves to the next model", async () => {
  const down = await mockWith({ faults: () => ({ status: 503 }) });
  const up = await mockWith({ turns: [{ text: "from the fallback" }] });
  const { options } = testOptions(openai, { env: { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY } });
  const fallbacks: string[] = [];
  options.onFallback = (info) => fallbacks.push(`${info.from} -> ${info.to} (${info.error.kind})`);
  const config = configFor(
    openai,
    down,
    { retries: 1, fallback: ["anthropic/claude-haiku-4-5"] },
    {
      anthropic: providerConfig(anthropic, up),
    },
  );
  const turn = await collectTurn(openModel(config, "openai/gpt-4.1", options).stream(ask("hi")));
  expect(turn.text).toBe("from the fallback");
  expect(fallbacks).toEqual(["openai/gpt-4.1 -> anthropic/claude-haiku-4-5 (server)"]);
  expect(down.requests).toHaveLength(2);
  expect(up.requests[0]?.model).toBe("claude-haiku-4-5");
});

test("fallback: auth errors do not fall back", async () => {
  const rejecting = await mockWith({ apiKey: "other" });
  const up = await mockWith({ turns: [{ text: "never" }] });
  const { options } = testOptions(openai, { env: { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY } });
  const config = configFor(
    openai,
    rejecting,
    { fallback: ["anthropic/claude-haiku-4-5"] },
    {
      anthropic: providerConfig(anthropic, up),
    },
  );
  await expect(
    collectTurn(openModel(config, "openai/gpt-4.1", options).stream(ask("hi"))),
  ).rejects.toMatchObject({
    kind: "auth",
  });
  expect(up.requests).toHaveLength(0);
});

test("fallback: a fallback whose key is unset is skipped and the original error reported", async () => {
  const down = await mockWith({ faults: () => ({ status: 500 }) });
  const { options } = testOptions(openai);
  const config = configFor(
    openai,
    down,
    { retries: 0, fallback: ["anthropic/claude-haiku-4-5"] },
    {
      anthropic: { kind: "anthropic", api_key: `\${UNSET_FOR_FALLBACK_TEST}`, base_url: down.url },
    },
  );
  const list = await events(openModel(config, "openai/gpt-4.1", options).stream(ask("hi")));
  expect(list).toHaveLength(1);
  expect(list[0]?.type === "error" && list[0].error.status).toBe(500);
});

test("collectTurn throws the ProviderError of an error event", async () => {
  async function* failing() {
    yield { type: "error" as const, error: new ProviderError("nope", { provider: "x", kind: "server" }) };
  }
  await expect(collectTurn(failing())).rejects.toBeInstanceOf(ProviderError);
});

test("500 concurrent streams through one provider all complete", async () => {
  const mock = await mockWith({ turns: () => ({ text: "concurrent answer" }) });
  const { options } = testOptions(openai);
  const model = openModel(configFor(openai, mock), "openai/gpt-4.1-mini", options);
  const turns = await Promise.all(Array.from({ length: 500 }, () => collectTurn(model.stream(ask("hi")))));
  expect(turns.every((t) => t.text === "concurrent answer")).toBe(true);
  expect(mock.requests).toHaveLength(500);
});
