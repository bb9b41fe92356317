import { systemClock } from "../../src/clock/system-clock.ts";
import type { Config, ProviderConfig } from "../../src/config/schema.ts";
import type { ErrorContext } from "../../src/providers/http/classify.ts";
import type { WireProtocol } from "../../src/providers/http/wire-protocol.ts";
import { openAiProtocol } from "../../src/providers/openai/protocol.ts";
import type { ProviderOptions } from "../../src/providers/registry.ts";
import type { Clock } from "../../src/spec/clock.ts";
import type { ModelEvent, ModelRequest, ToolSchema } from "../../src/spec/model.ts";
import type { MockProvider } from "../../src/testing/index.ts";

/** The three wire protocols, with how to point a provider config at the mock. */
export const PROTOCOLS = [
  {
    kind: "openai",
    keyVar: "OPENAI_API_KEY",
    model: "gpt-4.1-mini",
    base: (m: MockProvider) => m.baseUrls.openai,
  },
  {
    kind: "anthropic",
    keyVar: "ANTHROPIC_API_KEY",
    model: "claude-sonnet-4-5",
    base: (m: MockProvider) => m.baseUrls.anthropic,
  },
  {
    kind: "gemini",
    keyVar: "GEMINI_API_KEY",
    model: "gemini-2.5-flash",
    base: (m: MockProvider) => m.baseUrls.gemini,
  },
] as const;

export type ProtocolCase = (typeof PROTOCOLS)[number];

export const KEY = "sk-test-SECRET-0123456789abcdef";

/** A provider config for `p` pointing at the mock, with `api_key = "${VAR}"`. */
export function providerConfig(
  p: ProtocolCase,
  mock: MockProvider,
  extra: Partial<ProviderConfig> = {},
): ProviderConfig {
  return { kind: p.kind, api_key: `\${${p.keyVar}}`, base_url: p.base(mock), ...extra };
}

/** A config with one provider `p.kind` (plus extra providers). */
export function configFor(
  p: ProtocolCase,
  mock: MockProvider,
  extra: Partial<ProviderConfig> = {},
  more: Record<string, ProviderConfig> = {},
): Config {
  return { providers: { [p.kind]: providerConfig(p, mock, extra), ...more } };
}

/**
 * A clock whose sleeps are recorded and return at once, at a fixed epoch time; its timers are
 * the system clock's (tests that need fake timers use `manualClock`).
 */
export function fakeClock(nowMs = Date.parse("2025-06-01T12:00:00Z")) {
  const sleeps: number[] = [];
  const clock: Clock = {
    now: systemClock.now,
    epochMs: () => nowMs,
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
    sleep: async (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      if (signal?.aborted) throw signal.reason;
    },
  };
  return { sleeps, clock };
}

/** Options for tests: env with the key, a fake clock, deterministic jitter. */
export function testOptions(p: ProtocolCase, overrides: ProviderOptions = {}) {
  const fake = fakeClock();
  const options: ProviderOptions = {
    env: { [p.keyVar]: KEY },
    clock: fake.clock,
    random: () => 0.5,
    ...overrides,
  };
  return { options, sleeps: fake.sleeps };
}

export const WEATHER_TOOL: ToolSchema = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { city: { type: "string", description: "City name" }, unit: { type: ["string", "null"] } },
    required: ["city"],
    additionalProperties: false,
  },
};

/** A minimal request for `ModelHandle.stream`. */
export function ask(text: string, extra: Partial<ModelRequest> = {}): Omit<ModelRequest, "model"> {
  return { system: "You are terse.", messages: [{ role: "user", content: text }], tools: [], ...extra };
}

/** Drains a stream into an array. */
export async function events(stream: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const out: ModelEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

/** The single error event of a stream, failing loudly if the stream did not end with one. */
export function lastError(list: ModelEvent[]) {
  const last = list.at(-1);
  if (last?.type !== "error") throw new Error(`expected an error event, got ${JSON.stringify(last)}`);
  return last.error;
}

/** The error context and OpenAI wire protocol of provider "p", for tests that fake the transport. */
export function fakeTransportProtocol(): { errors: ErrorContext; protocol: WireProtocol } {
  return {
    errors: { providerId: "p", keyVariable: undefined, secrets: [] },
    protocol: openAiProtocol({
      baseUrl: "http://mock.invalid/v1",
      apiKey: undefined,
      headers: {},
      legacyMaxTokens: false,
      maxOutputTokens: undefined,
    }),
  };
}
