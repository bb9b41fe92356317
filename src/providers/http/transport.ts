import type { Dispatcher } from "undici";
import type { ConnectionPools } from "./dispatcher.ts";
import type { ResponseHeaders } from "./wire-protocol.ts";

/** A streamed HTTP answer: status, headers (read only on error paths) and the raw body. */
export interface StreamResponse {
  status: number;
  headers(): ResponseHeaders;
  body: AsyncIterable<Uint8Array>;
}

/** One JSON POST whose answer body is consumed as a stream. */
export type PostStream = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<StreamResponse>;

const EMPTY_BODY: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

/**
 * The transport of one provider configuration and origin. On Node: `undici.request` over a
 * shared keep-alive pool. On Bun: the runtime's `fetch`, because Bun's `undici` module is a
 * `fetch` shim that ignores dispatchers and wraps every body in a Node stream, which costs CPU
 * and memory per chunk with hundreds of concurrent streams.
 */
export function transportFor(pools: ConnectionPools, poolKey: object, origin: string): PostStream {
  if (typeof process.versions["bun"] === "string") return fetchPost;
  let dispatcher: Promise<Dispatcher> | undefined;
  return async (url, init) => {
    dispatcher ??= pools.dispatcher(poolKey, origin);
    const { request } = await import("undici");
    const response = await request(url, { method: "POST", ...init, dispatcher: await dispatcher });
    return {
      status: response.statusCode,
      headers: () => response.headers as ResponseHeaders,
      body: response.body,
    };
  };
}

async function fetchPost(
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
): Promise<StreamResponse> {
  const response = await fetch(url, { method: "POST", ...init });
  return {
    status: response.status,
    headers: () => Object.fromEntries(response.headers),
    body: response.body ? new ReaderChunks(response.body) : EMPTY_BODY,
  };
}

/**
 * Benchmark-driven: the chunks of a response body through its reader, not the stream's own async
 * iterator, which releases the reader when the body ends and so creates two TypeErrors (with their
 * stack traces) for every response (issue 13). Leaving the loop early cancels the body, as the
 * stream's iterator does.
 */
class ReaderChunks implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  #reader: ChunkReader | undefined;

  constructor(private readonly body: { getReader(): ChunkReader }) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    this.#reader ??= this.body.getReader();
    return this.#reader.read();
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    await this.#reader?.cancel();
    return { done: true, value: undefined };
  }
}

/** The part of a body's reader `ReaderChunks` uses. */
interface ChunkReader {
  read(): Promise<IteratorResult<Uint8Array>>;
  cancel(): Promise<void>;
}
