import type { FinishReason } from "../../spec/model.ts";

/** One tool call the mock model makes. `arguments` may be given as an object; it is sent as JSON. */
export interface MockToolCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** Token counts the mock reports; missing counts are derived from the request and answer sizes. */
export interface MockUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
}

/** One scripted model answer: text, tool calls (several make a parallel turn), usage, finish reason. */
export interface MockTurn {
  text?: string;
  toolCalls?: MockToolCall[];
  usage?: MockUsage;
  /** Default: `tool-calls` when there are tool calls, else `stop`. */
  finish?: FinishReason;
}

/**
 * A fault injected into one request. `status` answers with that HTTP status (body in the
 * protocol's own error format unless given); `truncate` cuts the stream in the middle;
 * `malformed` sends garbage SSE; `stallMs` sends headers then nothing for that long before
 * dropping the connection; `latencyMs` delays the response headers; `frameGapMs` waits that
 * long before each frame of the stream (a slow but live stream).
 * Faulted requests (except pure `latencyMs`) do not consume a scripted turn.
 */
export interface MockFault {
  status?: number;
  body?: string | Record<string, unknown>;
  headers?: Record<string, string>;
  truncate?: boolean;
  malformed?: boolean;
  stallMs?: number;
  latencyMs?: number;
  frameGapMs?: number;
}

/** Which wire protocol a request used. */
export type MockProtocol = "openai" | "anthropic" | "gemini";

/** A request as the mock received it. */
export interface MockRequest {
  index: number;
  protocol: MockProtocol;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** The model named in the body (OpenAI, Anthropic) or the path (Gemini). */
  model: string;
}

/** Options of `startMockProvider`. */
export interface MockProviderOptions {
  /** Scripted answers consumed in order, or a function of the request and the turn index. */
  turns?: MockTurn[] | ((request: MockRequest, turnIndex: number) => MockTurn);
  /** Faults keyed by request index (0-based, counting every request), or a function. */
  faults?: Record<number, MockFault> | ((request: MockRequest) => MockFault | undefined);
  /** When set, requests must carry this key in the protocol's auth header, else a real-format 401/400. */
  apiKey?: string;
  /** Split tool arguments into single characters (the harshest fragmenting). */
  byteByByte?: boolean;
  /** Characters per text delta (default 6). */
  textChunkSize?: number;
  /** Characters per tool-argument fragment (default 7). */
  argumentChunkSize?: number;
  /** Delay before every response's headers, for benchmarks. */
  latencyMs?: number;
}

/** A running mock provider. Close it in `afterEach`/`finally`. */
export interface MockProvider {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Base URLs to put in `[providers.*].base_url` for each kind. */
  readonly baseUrls: { openai: string; anthropic: string; gemini: string };
  /** Every request received, in arrival order. */
  readonly requests: MockRequest[];
  close(): Promise<void>;
}
