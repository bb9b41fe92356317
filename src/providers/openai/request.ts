import type { Message, ModelRequest, ToolSchema } from "../../spec/model.ts";
import type { JsonCache } from "./json-cache.ts";

function toOpenAiMessage(message: Message): unknown {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "assistant":
      return {
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
      };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message ${JSON.stringify(unreachable)}`);
    }
  }
}

function toOpenAiTools(tools: readonly ToolSchema[]): unknown {
  return tools.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/**
 * The request body as JSON text. The conversation is system first, tool results as `role:
 * "tool"`; each message is serialised once and the conversation's text grows with it (`cache`,
 * see json-cache.ts). Streams always ask for usage (`stream_options.include_usage`). OpenAI proper
 * takes `max_completion_tokens` (required by reasoning models); compatible servers get the older
 * `max_tokens`.
 */
export function openAiBody(
  request: ModelRequest,
  cache: JsonCache,
  legacyMaxTokens: boolean,
  maxOutputTokens?: number,
): string {
  const limit = request.maxOutputTokens ?? maxOutputTokens;
  const options = JSON.stringify({
    ...(limit !== undefined ? { [legacyMaxTokens ? "max_tokens" : "max_completion_tokens"]: limit } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  });
  const parts = [`{"model":${JSON.stringify(request.model)},"messages":[`];
  if (request.system) parts.push(JSON.stringify({ role: "system", content: request.system }));
  if (request.messages.length > 0) {
    if (request.system) parts.push(",");
    parts.push(cache.conversation(request.messages, toOpenAiMessage));
  }
  parts.push('],"stream":true,"stream_options":{"include_usage":true}');
  if (request.tools.length) parts.push(',"tools":', cache.tools(request.tools, toOpenAiTools));
  if (options !== "{}") parts.push(",", options.slice(1, -1));
  parts.push("}");
  return parts.join("");
}
