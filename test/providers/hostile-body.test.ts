import { expect, test } from "bun:test";
import { type AttemptSettings, attemptBatches } from "../../src/providers/http/attempt.ts";
import type { PostStream } from "../../src/providers/http/transport.ts";
import { ProviderError } from "../../src/spec/errors.ts";
import { manualClock } from "../../src/testing/manual-clock.ts";
import { fakeTransportProtocol } from "./support.ts";

const encoder = new TextEncoder();
const request = { model: "m", system: "", messages: [{ role: "user" as const, content: "hi" }], tools: [] };

/**
 * A transport answering `status` with a body that starts with `first` and then sends one byte each
 * time `drip()` is called, forever, until the request's signal aborts.
 */
function tricklingPost(status: number, first: string) {
  let next: (() => void) | undefined;
  let cancelled = false;
  const post: PostStream = async (_url, init) => ({
    status,
    headers: () => ({}),
    body: (async function* () {
      try {
        yield encoder.encode(first);
        for (;;) {
          await new Promise<void>((resolve, reject) => {
            next = resolve;
            init.signal.addEventListener("abort", () => reject(init.signal.reason), { once: true });
          });
          yield encoder.encode("x");
        }
      } finally {
        cancelled = true;
      }
    })(),
  });
  return { post, drip: () => next?.(), cancelled: () => cancelled };
}

/** One attempt's settings: request_timeout 1 s and stall_timeout 100 ms on `clock`, transport `post`. */
function settingsFor(post: PostStream, clock = manualClock()): AttemptSettings {
  return {
    ...fakeTransportProtocol(),
    post,
    requestTimeoutMs: 1_000,
    stallTimeoutMs: 100,
    now: clock.epochMs,
    clock,
  };
}

test("an error answer's body trickling in faster than stall_timeout is cut at request_timeout and reported with its status", async () => {
  const clock = manualClock();
  const server = tricklingPost(502, "upstream overloaded ");
  const settings = settingsFor(server.post, clock);
  let failure: unknown;
  let done = false;
  const attempt = (async () => {
    try {
      for await (const _ of attemptBatches(settings, request)) {
        // an error answer yields nothing
      }
    } catch (err) {
      failure = err;
    } finally {
      done = true;
    }
  })();
  // One byte every 50 ms of a 100 ms stall_timeout, for up to 3 s against a 1 s request_timeout.
  for (let elapsed = 0; elapsed < 3_000 && !done; elapsed += 50) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(50);
    server.drip();
  }
  expect(done).toBe(true);
  await attempt;
  expect(failure).toBeInstanceOf(ProviderError);
  const error = failure as ProviderError;
  expect({ status: error.status, kind: error.kind }).toEqual({ status: 502, kind: "server" });
  expect(error.message).toContain("upstream overloaded x");
  expect(server.cancelled()).toBe(true);
});

test("an SSE message that never ends is a protocol error once it passes 16 MiB, and the body is cancelled", async () => {
  // Bytes keep flowing, so the stall timer never fires: before, the parser held the growing line
  // until the process ran out of memory.
  let pulled = 0;
  let cancelled = false;
  const mebibyte = encoder.encode("x".repeat(1 << 20));
  const post: PostStream = async () => ({
    status: 200,
    headers: () => ({}),
    body: (async function* () {
      try {
        yield encoder.encode('data: {"choices":[{"index":0,"delta":{"content":"');
        for (; pulled < 24; pulled++) yield mebibyte;
      } finally {
        cancelled = true;
      }
    })(),
  });
  let failure: unknown;
  try {
    for await (const _ of attemptBatches(settingsFor(post), request)) {
      // nothing complete arrives
    }
  } catch (err) {
    failure = err;
  }
  expect(failure).toBeInstanceOf(ProviderError);
  expect((failure as ProviderError).kind).toBe("protocol");
  expect((failure as ProviderError).message).toContain("SSE message grew past");
  expect(pulled).toBeLessThan(20);
  expect(cancelled).toBe(true);
});
