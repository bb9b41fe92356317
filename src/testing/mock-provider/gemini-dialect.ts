import type { FinishReason } from "../../spec/model.ts";
import type { WireDialect } from "./dialect.ts";

const FINISH: Record<FinishReason, string> = {
  stop: "STOP",
  "tool-calls": "STOP",
  length: "MAX_TOKENS",
  "content-filter": "SAFETY",
  other: "OTHER",
};

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** Gemini's `alt=sse` framing: `data:` lines with CRLF endings, no `[DONE]`. */
function crlfFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\r\n\r\n`;
}

/** Google AI Gemini API as streamed by generativelanguage.googleapis.com (see gemini/__fixtures__). */
export const geminiDialect: WireDialect = {
  protocol: "gemini",
  frames(turn, model) {
    const { inputTokens, outputTokens, cachedInputTokens } = turn.usage;
    const partial = (parts: unknown[]) => ({
      candidates: [{ content: { parts, role: "model" }, index: 0 }],
      usageMetadata: { promptTokenCount: inputTokens, totalTokenCount: inputTokens },
      modelVersion: model,
    });
    const pieces: unknown[][] = turn.textPieces.map((text) => [{ text }]);
    if (turn.calls.length) {
      pieces.push(turn.calls.map((c) => ({ functionCall: { name: c.name, args: JSON.parse(c.arguments) } })));
    }
    if (pieces.length === 0) pieces.push([{ text: "" }]);
    const last = pieces.pop() as unknown[];
    const frames = pieces.map((parts) => crlfFrame(partial(parts)));
    frames.push(
      crlfFrame({
        candidates: [
          { content: { parts: last, role: "model" }, finishReason: FINISH[turn.finish], index: 0 },
        ],
        usageMetadata: {
          promptTokenCount: inputTokens,
          candidatesTokenCount: outputTokens,
          totalTokenCount: inputTokens + outputTokens,
          ...(cachedInputTokens ? { cachedContentTokenCount: cachedInputTokens } : {}),
        },
        modelVersion: model,
      }),
    );
    return frames;
  },
  whole(turn, model) {
    return {
      candidates: [
        {
          content: {
            parts: [
              ...(turn.textPieces.length ? [{ text: turn.textPieces.join("") }] : []),
              ...turn.calls.map((c) => ({ functionCall: { name: c.name, args: JSON.parse(c.arguments) } })),
            ],
            role: "model",
          },
          finishReason: FINISH[turn.finish],
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: turn.usage.inputTokens,
        candidatesTokenCount: turn.usage.outputTokens,
        totalTokenCount: turn.usage.inputTokens + turn.usage.outputTokens,
      },
      modelVersion: model,
    };
  },
  errorBody(status, message) {
    return { error: { code: status, message, status: STATUS[status] ?? "INTERNAL" } };
  },
  checkAuth(headers, url, expected) {
    const given = headers["x-goog-api-key"] ?? url.searchParams.get("key") ?? undefined;
    if (given === expected) return undefined;
    if (given === undefined) {
      return {
        status: 403,
        body: {
          error: {
            code: 403,
            message:
              "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
            status: "PERMISSION_DENIED",
          },
        },
      };
    }
    return {
      status: 400,
      body: {
        error: {
          code: 400,
          message: "API key not valid. Please pass a valid API key.",
          status: "INVALID_ARGUMENT",
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.ErrorInfo",
              reason: "API_KEY_INVALID",
              domain: "googleapis.com",
              metadata: { service: "generativelanguage.googleapis.com" },
            },
          ],
        },
      },
    };
  },
  malformedFrame: 'data: {"candidates": [{"content": {"parts": [{"text": \r\n\r\n',
};
