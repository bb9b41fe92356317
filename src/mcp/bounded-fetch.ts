import type { FetchLike } from "@modelcontextprotocol/client";

/** Largest message agentry reads from an MCP server, over stdio (a line) or HTTP (a body or one SSE event). */
export const MAX_MCP_MESSAGE = 16 * 1024 * 1024;

const LF = 10;
const CR = 13;

/**
 * A `fetch` for the MCP HTTP transports that never holds more than `maxBytes` of one message: a
 * response body (JSON) is cut off with an error past `maxBytes`, and an event stream past
 * `maxBytes` within one event (bytes since the last blank line), so a long-lived stream of small
 * events goes on. A hostile or broken server cannot make agentry buffer an answer without bound;
 * the call fails instead, like a stdio line over the cap.
 */
export function boundedFetch(maxBytes: number = MAX_MCP_MESSAGE, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if (!response.body) return response;
    const events = (response.headers.get("content-type") ?? "").includes("text/event-stream");
    return new Response(response.body.pipeThrough(byteCap(maxBytes, events)), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function byteCap(maxBytes: number, perEvent: boolean): TransformStream<Uint8Array, Uint8Array> {
  let size = 0;
  let lineStart = true;
  return new TransformStream({
    transform(chunk, controller) {
      if (!perEvent) size += chunk.byteLength;
      else
        for (const byte of chunk) {
          if (byte === LF) {
            if (lineStart) size = 0;
            lineStart = true;
          } else if (byte !== CR) lineStart = false;
          size += 1;
        }
      if (size > maxBytes) {
        controller.error(new Error(`the MCP server sent a message over ${maxBytes} bytes`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}
