import type { Message, ModelRequest } from "../../spec/model.ts";

/** The OpenAI Chat Completions form of the conversation: system first, tool results as `role: "tool"`. */
export function toOpenAiMessages(system: string | undefined, messages: Message[]): unknown[] {
  const out: unknown[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const message of messages) {
    switch (message.role) {
      case "user":
        out.push({ role: "user", content: message.content });
        break;
      case "assistant":
        out.push({
          role: "assistant",
          content: message.content === "" && message.toolCalls?.length ? null : message.content,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  id: call.id,
                  type: "function",
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        });
        break;
      case "tool":
        out.push({ role: "tool", tool_call_id: message.toolCallId, content: message.content });
        break;
      default: {
        const unreachable: never = message;
        throw new Error(`unknown message ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return out;
}

/**
 * The request body. Streams always ask for usage (`stream_options.include_usage`). OpenAI
 * proper takes `max_completion_tokens` (required by reasoning models); compatible servers get
 * the older `max_tokens`.
 */
export function openAiBody(
  request: ModelRequest,
  legacyMaxTokens: boolean,
  maxOutputTokens?: number,
): unknown {
  const limit = request.maxOutputTokens ?? maxOutputTokens;
  return {
    model: request.model,
    messages: toOpenAiMessages(request.system, request.messages),
    stream: true,
    stream_options: { include_usage: true },
    ...(request.tools.length
      ? {
          tools: request.tools.map((tool) => ({
            type: "function",
            function: { name: tool.name, description: tool.description, parameters: tool.parameters },
          })),
        }
      : {}),
    ...(limit !== undefined ? { [legacyMaxTokens ? "max_tokens" : "max_completion_tokens"]: limit } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
}
