import { describe, expect, test } from "bun:test";
import { type RetrySettings, retryingStream } from "../../src/providers/http/retrying-stream.ts";
import type { PostStream } from "../../src/providers/http/transport.ts";
import { ProviderError } from "../../src/spec/errors.ts";
import { events, fakeClock, fakeTransportProtocol } from "./support.ts";

const encoder = new TextEncoder();
const frame = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
const delta = (content: string) => frame({ choices: [{ index: 0, delta: { content } }] });
const finish = frame({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });

/** A connection reset: retryable by its kind, like a reset before any byte arrived. */
const reset = () => new ProviderError('provider "p": connection reset', { provider: "p", kind: "network" });

/**
 * A fake transport: each POST answers with the next script, a list of frames and, optionally, a
 * failure thrown after them (mid-stream).
 */
function scriptedPost(scripts: { frames: Uint8Array[]; failAfter?: ProviderError }[]) {
  const posts: number[] = [];
  const post: PostStream = async () => {
    const script = scripts[posts.length] ?? scripts.at(-1);
    posts.push(posts.length);
    return {
      status: 200,
      headers: () => ({}),
      body: (async function* () {
        for (const chunk of script?.frames ?? []) yield chunk;
        if (script?.failAfter) throw script.failAfter;
      })(),
    };
  };
  return { post, posts };
}

function settings(post: PostStream): { settings: RetrySettings; sleeps: number[] } {
  const fake = fakeClock();
  return {
    sleeps: fake.sleeps,
    settings: {
      ...fakeTransportProtocol(),
      post,
      requestTimeoutMs: 60_000,
      stallTimeoutMs: 60_000,
      now: fake.clock.epochMs,
      retries: 3,
      clock: fake.clock,
      random: () => 0.5,
      onRetry: undefined,
    },
  };
}

const request = { model: "m", system: "", messages: [{ role: "user" as const, content: "hi" }], tools: [] };

describe("retryingStream (issue 12 item 19)", () => {
  test("a retryable failure before any event is retried", async () => {
    const { post, posts } = scriptedPost([
      { frames: [], failAfter: reset() },
      { frames: [delta("ok"), finish] },
    ]);
    const { settings: s, sleeps } = settings(post);
    const list = await events(retryingStream(s, request));
    expect(posts).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(list).toEqual([
      { type: "text-delta", text: "ok" },
      { type: "finish", reason: "stop" },
    ]);
  });

  test("the same failure after text was streamed is final: no retry, no duplicated text", async () => {
    const { post, posts } = scriptedPost([
      { frames: [delta("Hello, "), delta("wor")], failAfter: reset() },
      { frames: [delta("Hello, world"), finish] },
    ]);
    const { settings: s, sleeps } = settings(post);
    const list = await events(retryingStream(s, request));
    expect(posts).toHaveLength(1);
    expect(sleeps).toEqual([]);
    const text = list.flatMap((event) => (event.type === "text-delta" ? [event.text] : [])).join("");
    expect(text).toBe("Hello, wor");
    const last = list.at(-1);
    expect(last?.type).toBe("error");
    expect(last?.type === "error" && last.error.retryable).toBe(true);
  });

  test("events decoded before a failing message of the same chunk arrive before the error, and end retries", async () => {
    const failing = encoder.encode(`data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`);
    const oneChunk = new Uint8Array([...delta("Hello"), ...failing]);
    const { post, posts } = scriptedPost([
      { frames: [oneChunk] },
      { frames: [delta("Hello again"), finish] },
    ]);
    const { settings: s, sleeps } = settings(post);
    const list = await events(retryingStream(s, request));
    expect(posts).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(list[0]).toEqual({ type: "text-delta", text: "Hello" });
    expect(list).toHaveLength(2);
    expect(list[1]?.type === "error" && list[1].error.message).toContain("reported an error mid-stream");
  });

  test("a chunk of several messages arrives in order and ends at finish, ignoring what follows it", async () => {
    const done = encoder.encode("data: [DONE]\n\n");
    const oneChunk = new Uint8Array([...delta("a"), ...delta("b"), ...finish, ...done, ...delta("after")]);
    const { post } = scriptedPost([{ frames: [oneChunk] }]);
    const list = await events(retryingStream(settings(post).settings, request));
    expect(list).toEqual([
      { type: "text-delta", text: "a" },
      { type: "text-delta", text: "b" },
      { type: "finish", reason: "stop" },
    ]);
  });
});
