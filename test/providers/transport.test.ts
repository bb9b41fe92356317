import { afterAll, beforeAll, expect, test } from "bun:test";
import { ConnectionPools } from "../../src/providers/http/dispatcher.ts";
import { transportFor } from "../../src/providers/http/transport.ts";

/** A server streaming `parts` one by one; `cancelled` resolves when the client drops the body. */
let server: ReturnType<typeof Bun.serve>;
let cancelled: { promise: Promise<void>; resolve: () => void };
const parts = ["data: one\n\n", "data: two\n\n", "data: three\n\n"];

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const endless = new URL(request.url).pathname === "/endless";
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await Bun.sleep(1);
          if (!endless && sent === parts.length) return controller.close();
          controller.enqueue(new TextEncoder().encode(parts[sent % parts.length]));
          sent += 1;
        },
        cancel() {
          cancelled.resolve();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  });
});
afterAll(() => server.stop(true));

const post = () => transportFor(new ConnectionPools(), {}, `http://127.0.0.1:${server.port}`);
const init = {
  headers: { "content-type": "application/json" },
  body: "{}",
  signal: new AbortController().signal,
};

test("Bun transport: a streamed body arrives whole, in order, and ends", async () => {
  const response = await post()(`http://127.0.0.1:${server.port}/`, init);
  expect(response.status).toBe(200);
  let text = "";
  const utf8 = new TextDecoder();
  for await (const chunk of response.body) text += utf8.decode(chunk, { stream: true });
  expect(text).toBe(parts.join(""));
});

test("Bun transport: leaving the loop early cancels the body, so the server stops sending", async () => {
  cancelled = Promise.withResolvers<void>();
  const response = await post()(`http://127.0.0.1:${server.port}/endless`, init);
  let seen = 0;
  for await (const _chunk of response.body) {
    seen += 1;
    if (seen === 2) break;
  }
  await cancelled.promise;
  expect(seen).toBe(2);
});
