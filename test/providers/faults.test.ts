import { afterEach, describe, expect, test } from "bun:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openModel } from "../../src/providers/registry.ts";
import { type MockProvider, startMockProvider } from "../../src/testing/index.ts";
import { type ManualClock, manualClock } from "../../src/testing/manual-clock.ts";
import { ask, configFor, events, KEY, lastError, PROTOCOLS, testOptions, WEATHER_TOOL } from "./support.ts";

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const OK_TURN = { text: "recovered" };

for (const p of PROTOCOLS) {
  describe(`${p.kind} faults`, () => {
    const setup = async (
      mockOptions: Parameters<typeof startMockProvider>[0],
      extra = {},
      clock?: ManualClock,
    ) => {
      mock = await startMockProvider(mockOptions);
      const { options, sleeps } = testOptions(p, clock ? { clock } : {});
      const retries: number[] = [];
      options.onRetry = (info) => retries.push(info.attempt);
      const model = openModel(configFor(p, mock, extra), `${p.kind}/${p.model}`, options);
      return { model, sleeps, retries, mock };
    };

    test("429 with Retry-After seconds is retried after exactly that wait", async () => {
      const { model, sleeps, retries } = await setup({
        turns: [OK_TURN],
        faults: { 0: { status: 429, headers: { "retry-after": "7" } } },
      });
      const list = await events(model.stream(ask("hi")));
      expect(list.at(-1)).toEqual({ type: "finish", reason: "stop" });
      expect(sleeps).toEqual([7000]);
      expect(retries).toEqual([1]);
    });

    test("429 with Retry-After as an HTTP date waits until that date (injected clock)", async () => {
      const { model, sleeps } = await setup({
        turns: [OK_TURN],
        faults: { 0: { status: 429, headers: { "retry-after": "Sun, 01 Jun 2025 12:00:12 GMT" } } },
      });
      await events(model.stream(ask("hi")));
      expect(sleeps).toEqual([12_000]);
    });

    test("500 is retried with jittered backoff, then succeeds", async () => {
      const { model, sleeps, mock } = await setup({
        turns: [OK_TURN],
        faults: { 0: { status: 500 }, 1: { status: 502 } },
      });
      const list = await events(model.stream(ask("hi")));
      expect(list.filter((e) => e.type === "text-delta").length).toBeGreaterThan(0);
      expect(sleeps).toEqual([250, 500]);
      expect(mock.requests).toHaveLength(3);
    });

    test("retries stop after `retries` and the last error is reported", async () => {
      const { model, sleeps, mock } = await setup(
        { turns: [OK_TURN], faults: () => ({ status: 503 }) },
        { retries: 1 },
      );
      const error = lastError(await events(model.stream(ask("hi"))));
      expect(error.kind).toBe("server");
      expect(error.status).toBe(503);
      expect(sleeps).toHaveLength(1);
      expect(mock.requests).toHaveLength(2);
    });

    test("400 is not retried", async () => {
      const { model, sleeps, mock } = await setup({ turns: [OK_TURN], faults: { 0: { status: 400 } } });
      const error = lastError(await events(model.stream(ask("hi"))));
      expect(error.kind).toBe("bad_request");
      expect(error.retryable).toBe(false);
      expect(sleeps).toEqual([]);
      expect(mock.requests).toHaveLength(1);
    });

    test("a rejected key is an auth error naming the variable, never the key, and is not retried", async () => {
      mock = await startMockProvider({ turns: [OK_TURN], apiKey: "the-right-key" });
      const { options, sleeps } = testOptions(p);
      const model = openModel(configFor(p, mock), `${p.kind}/${p.model}`, options);
      const error = lastError(await events(model.stream(ask("hi"))));
      expect(error.kind).toBe("auth");
      expect(error.exitCode).toBe(4);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(p.keyVar);
      expect(error.message).toContain(`"${p.kind}"`);
      expect(error.message).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
      expect(sleeps).toEqual([]);
      expect(mock.requests).toHaveLength(1);
    });

    test("the right key is accepted", async () => {
      mock = await startMockProvider({ turns: [OK_TURN], apiKey: KEY });
      const { options } = testOptions(p);
      const list = await events(
        openModel(configFor(p, mock), `${p.kind}/${p.model}`, options).stream(ask("hi")),
      );
      expect(list.at(-1)).toEqual({ type: "finish", reason: "stop" });
    });

    test("a truncated stream is a protocol error and never emits tool-call-end", async () => {
      const { model, sleeps } = await setup({
        turns: [
          { toolCalls: [{ name: "get_weather", arguments: { city: "Paris", note: "x".repeat(200) } }] },
        ],
        faults: { 0: { truncate: true } },
      });
      const list = await events(model.stream(ask("hi", { tools: [WEATHER_TOOL] })));
      expect(list.some((e) => e.type === "tool-call-end")).toBe(false);
      expect(list.some((e) => e.type === "finish")).toBe(false);
      const error = lastError(list);
      expect(error.kind).toBe("protocol");
      expect(error.retryable).toBe(false);
      expect(sleeps).toEqual([]);
    });

    test("malformed SSE is a protocol error", async () => {
      const { model } = await setup({ turns: [OK_TURN], faults: { 0: { malformed: true } } });
      const error = lastError(await events(model.stream(ask("hi"))));
      expect(error.kind).toBe("protocol");
    });

    test("a stalled stream ends with a stall error after stall_timeout (on a manual clock)", async () => {
      const clock = manualClock();
      const { model } = await setup(
        { turns: [OK_TURN], faults: { 0: { stallMs: 5000 } } },
        { stall_timeout: 80, request_timeout: 86_400_000, retries: 0 },
        clock,
      );
      let done = false;
      const pending = events(model.stream(ask("hi"))).finally(() => {
        done = true;
      });
      while (!done) {
        clock.advance(80);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const error = lastError(await pending);
      expect(error.kind).toBe("stall");
      expect(error.message).toContain("stall_timeout");
    });

    test("a stream that keeps sending more slowly than stall_timeout in total does not stall", async () => {
      // Six text frames or more, 100 ms apart: ≥ 600 ms in total against a 400 ms stall_timeout,
      // with 300 ms of slack per gap for a loaded machine.
      const { model, mock } = await setup(
        { turns: [{ text: "still streaming, slowly but surely" }], faults: { 0: { frameGapMs: 100 } } },
        { stall_timeout: 400, retries: 0 },
      );
      const started = performance.now();
      const list = await events(model.stream(ask("hi")));
      expect(list.at(-1)?.type).toBe("finish");
      expect(performance.now() - started).toBeGreaterThan(400);
      expect(mock.requests).toHaveLength(1);
    });

    test("no response headers within request_timeout is a timeout", async () => {
      const { model } = await setup(
        { turns: [OK_TURN], faults: { 0: { latencyMs: 250 } } },
        { request_timeout: 60, retries: 0 },
      );
      const error = lastError(await events(model.stream(ask("hi"))));
      expect(error.kind).toBe("timeout");
    });

    test("abort via signal ends the stream with an aborted error", async () => {
      const { model } = await setup({ turns: [OK_TURN], faults: { 0: { stallMs: 300 } } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const error = lastError(await events(model.stream(ask("hi", { signal: controller.signal }))));
      expect(error.kind).toBe("aborted");
    });

    test("an already aborted signal sends nothing", async () => {
      const { model, mock } = await setup({ turns: [OK_TURN] });
      const error = lastError(await events(model.stream(ask("hi", { signal: AbortSignal.abort() }))));
      expect(error.kind).toBe("aborted");
      expect(mock.requests).toHaveLength(0);
    });
  });
}

describe("provider-specific faults", () => {
  const anthropic = PROTOCOLS[1];
  const gemini = PROTOCOLS[2];

  test("anthropic 529 overloaded_error is retried", async () => {
    mock = await startMockProvider({ turns: [OK_TURN], faults: { 0: { status: 529 } } });
    const { options, sleeps } = testOptions(anthropic);
    const list = await events(
      openModel(configFor(anthropic, mock), "anthropic/claude-sonnet-4-5", options).stream(ask("hi")),
    );
    expect(list.at(-1)).toEqual({ type: "finish", reason: "stop" });
    expect(sleeps).toHaveLength(1);
  });

  test("anthropic 529 exhausted reports kind overloaded", async () => {
    mock = await startMockProvider({ turns: [OK_TURN], faults: () => ({ status: 529 }) });
    const { options } = testOptions(anthropic);
    const model = openModel(
      configFor(anthropic, mock, { retries: 0 }),
      "anthropic/claude-sonnet-4-5",
      options,
    );
    expect(lastError(await events(model.stream(ask("hi")))).kind).toBe("overloaded");
  });

  test("gemini 429 RetryInfo.retryDelay is honoured", async () => {
    const body = {
      error: {
        code: 429,
        message: "Resource has been exhausted",
        status: "RESOURCE_EXHAUSTED",
        details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "17s" }],
      },
    };
    mock = await startMockProvider({ turns: [OK_TURN], faults: { 0: { status: 429, body } } });
    const { options, sleeps } = testOptions(gemini);
    await events(openModel(configFor(gemini, mock), "gemini/gemini-2.5-flash", options).stream(ask("hi")));
    expect(sleeps).toEqual([17_000]);
  });

  test("gemini without a key header gets 403, which is an auth error", async () => {
    mock = await startMockProvider({ turns: [OK_TURN], apiKey: KEY });
    const { options } = testOptions(gemini);
    const config = configFor(gemini, mock, { api_key: `\${UNSET_GEMINI_KEY_FOR_TEST:-}` });
    const error = lastError(
      await events(openModel(config, "gemini/gemini-2.5-flash", options).stream(ask("hi"))),
    );
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(403);
  });

  test("a server echoing the key in its error body is redacted", async () => {
    const openai = PROTOCOLS[0];
    mock = await startMockProvider({
      turns: [OK_TURN],
      faults: { 0: { status: 400, body: { error: { message: `bad request for key ${KEY}` } } } },
    });
    const { options } = testOptions(openai);
    const error = lastError(
      await events(openModel(configFor(openai, mock), "openai/gpt-4.1", options).stream(ask("hi"))),
    );
    expect(error.message).toContain("[REDACTED]");
    expect(error.message).not.toContain(KEY);
  });

  test("an error answer whose body never ends is reported without reading it to the end", async () => {
    const openai = PROTOCOLS[0];
    let closed = false;
    const server = createServer((_req, res) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.write("upstream overloaded ");
      const drip = setInterval(() => res.write("x".repeat(4096)), 2);
      res.on("close", () => {
        closed = true;
        clearInterval(drip);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { options } = testOptions(openai);
      const config = {
        providers: {
          openai: {
            kind: "openai" as const,
            api_key: `\${OPENAI_API_KEY}`,
            base_url: `http://127.0.0.1:${port}/v1`,
            retries: 0,
          },
        },
      };
      const error = lastError(await events(openModel(config, "openai/gpt-4.1", options).stream(ask("hi"))));
      expect(error.status).toBe(502);
      expect(error.message).toContain("upstream overloaded");
      for (let i = 0; i < 200 && !closed; i++) await Bun.sleep(5);
      expect(closed).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test("connection refused is a retryable network error", async () => {
    const openai = PROTOCOLS[0];
    const closed = await startMockProvider();
    const base = closed.baseUrls.openai;
    await closed.close();
    const { options, sleeps } = testOptions(openai);
    const config = {
      providers: {
        openai: { kind: "openai" as const, api_key: `\${OPENAI_API_KEY}`, base_url: base, retries: 1 },
      },
    };
    const error = lastError(await events(openModel(config, "openai/gpt-4.1", options).stream(ask("hi"))));
    expect(error.kind).toBe("network");
    expect(error.exitCode).toBe(4);
    expect(sleeps).toHaveLength(1);
  });
});
