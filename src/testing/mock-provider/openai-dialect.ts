import type { FinishReason } from "../../spec/model.ts";
import { dataFrame, type WireDialect } from "./dialect.ts";

const FINISH: Record<FinishReason, string> = {
  stop: "stop",
  "tool-calls": "tool_calls",
  length: "length",
  "content-filter": "content_filter",
  other: "stop",
};

const ERROR_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  404: "invalid_request_error",
  429: "rate_limit_exceeded",
};

/** OpenAI Chat Completions as streamed by api.openai.com (see openai/__fixtures__). */
export const openAiDialect: WireDialect = {
  protocol: "openai",
  frames(turn, model, { includeUsage, seed }) {
    const head = {
      id: `chatcmpl-mock${seed}`,
      object: "chat.completion.chunk",
      created: 1_700_000_000 + seed,
      model,
    };
    const chunk = (delta: unknown, finish: string | null = null) =>
      dataFrame({
        ...head,
        system_fingerprint: "fp_mock",
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
      });
    const frames = [chunk({ role: "assistant", content: "", refusal: null })];
    for (const piece of turn.textPieces) frames.push(chunk({ content: piece }));
    turn.calls.forEach((call, index) => {
      frames.push(
        chunk({
          tool_calls: [
            { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
          ],
        }),
      );
      for (const fragment of call.fragments) {
        frames.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
      }
    });
    frames.push(chunk({}, FINISH[turn.finish]));
    if (includeUsage) {
      const { inputTokens, outputTokens, cachedInputTokens } = turn.usage;
      frames.push(
        dataFrame({
          ...head,
          system_fingerprint: "fp_mock",
          choices: [],
          usage: {
            prompt_tokens: inputTokens,
            completion_tokens: outputTokens,
            total_tokens: inputTokens + outputTokens,
            prompt_tokens_details: { cached_tokens: cachedInputTokens, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
          },
        }),
      );
    }
    frames.push("data: [DONE]\n\n");
    return frames;
  },
  whole(turn, model, seed) {
    return {
      id: `chatcmpl-mock${seed}`,
      object: "chat.completion",
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: turn.textPieces.join("") || null,
            ...(turn.calls.length
              ? {
                  tool_calls: turn.calls.map((c) => ({
                    id: c.id,
                    type: "function",
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          finish_reason: FINISH[turn.finish],
        },
      ],
      usage: { prompt_tokens: turn.usage.inputTokens, completion_tokens: turn.usage.outputTokens },
    };
  },
  errorBody(status, message) {
    return { error: { message, type: ERROR_TYPE[status] ?? "server_error", param: null, code: null } };
  },
  checkAuth(headers, _url, expected) {
    const given = /^Bearer (.*)$/.exec(headers.authorization ?? "")?.[1];
    if (given === expected) return undefined;
    return {
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${given ?? ""}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      },
    };
  },
  malformedFrame: 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"unterminated\n\n',
};
