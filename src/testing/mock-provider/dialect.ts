import type { PreparedTurn } from "./chunking.ts";
import type { MockProtocol } from "./types.ts";

/** A rejected request: status and JSON body in the protocol's own error format. */
export interface MockRejection {
  status: number;
  body: Record<string, unknown>;
}

/** How the mock speaks one provider protocol. */
export interface WireDialect {
  protocol: MockProtocol;
  /** Complete SSE frames (each ending in its blank line) for one streamed turn. */
  frames(turn: PreparedTurn, model: string, options: { includeUsage: boolean; seed: number }): string[];
  /** The non-streaming JSON answer (Gemini `:generateContent`, `stream: false`). */
  whole(turn: PreparedTurn, model: string, seed: number): Record<string, unknown>;
  errorBody(status: number, message: string): Record<string, unknown>;
  /** Undefined when the request carries `expected`; else the provider's real auth error. */
  checkAuth(headers: Record<string, string>, url: URL, expected: string): MockRejection | undefined;
  /** A stream frame that is not valid for this protocol. */
  malformedFrame: string;
}

/** One `data:`-only SSE frame with LF line endings. */
export function dataFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** A named SSE frame (`event:` + `data:`). */
export function namedFrame(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}
