import type { FinishReason } from "../../spec/model.ts";
import { namedFrame, type WireDialect } from "./dialect.ts";

const STOP: Record<FinishReason, string> = {
  stop: "end_turn",
  "tool-calls": "tool_use",
  length: "max_tokens",
  "content-filter": "refusal",
  other: "end_turn",
};

const ERROR_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

/** Anthropic Messages as streamed by api.anthropic.com (see anthropic/__fixtures__). */
export const anthropicDialect: WireDialect = {
  protocol: "anthropic",
  frames(turn, model, { seed }) {
    const { inputTokens, outputTokens, cachedInputTokens } = turn.usage;
    const frames = [
      namedFrame("message_start", {
        type: "message_start",
        message: {
          id: `msg_mock${seed}`,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: inputTokens - cachedInputTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: cachedInputTokens,
            output_tokens: 1,
          },
        },
      }),
    ];
    let block = 0;
    if (turn.textPieces.length) {
      frames.push(
        namedFrame("content_block_start", {
          type: "content_block_start",
          index: block,
          content_block: { type: "text", text: "" },
        }),
        namedFrame("ping", { type: "ping" }),
      );
      for (const piece of turn.textPieces) {
        frames.push(
          namedFrame("content_block_delta", {
            type: "content_block_delta",
            index: block,
            delta: { type: "text_delta", text: piece },
          }),
        );
      }
      frames.push(namedFrame("content_block_stop", { type: "content_block_stop", index: block }));
      block++;
    }
    for (const call of turn.calls) {
      frames.push(
        namedFrame("content_block_start", {
          type: "content_block_start",
          index: block,
          content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
        }),
      );
      for (const fragment of ["", ...call.fragments]) {
        frames.push(
          namedFrame("content_block_delta", {
            type: "content_block_delta",
            index: block,
            delta: { type: "input_json_delta", partial_json: fragment },
          }),
        );
      }
      frames.push(namedFrame("content_block_stop", { type: "content_block_stop", index: block }));
      block++;
    }
    frames.push(
      namedFrame("message_delta", {
        type: "message_delta",
        delta: { stop_reason: STOP[turn.finish], stop_sequence: null },
        usage: { output_tokens: outputTokens },
      }),
      namedFrame("message_stop", { type: "message_stop" }),
    );
    return frames;
  },
  whole(turn, model, seed) {
    return {
      id: `msg_mock${seed}`,
      type: "message",
      role: "assistant",
      model,
      content: [
        ...(turn.textPieces.length ? [{ type: "text", text: turn.textPieces.join("") }] : []),
        ...turn.calls.map((c) => ({
          type: "tool_use",
          id: c.id,
          name: c.name,
          input: JSON.parse(c.arguments),
        })),
      ],
      stop_reason: STOP[turn.finish],
      usage: { input_tokens: turn.usage.inputTokens, output_tokens: turn.usage.outputTokens },
    };
  },
  errorBody(status, message) {
    return { type: "error", error: { type: ERROR_TYPE[status] ?? "api_error", message } };
  },
  checkAuth(headers, _url, expected) {
    const given = headers["x-api-key"] ?? /^Bearer (.*)$/.exec(headers.authorization ?? "")?.[1];
    if (given === expected) return undefined;
    return {
      status: 401,
      body: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } },
    };
  },
  malformedFrame: "event: content_block_delta\ndata: {not json at all\n\n",
};
