import type { Message, ModelRequest } from "../../spec/model.ts";
import { toolArgumentsObject } from "../shared/tool-arguments.ts";

type Block = { [key: string]: unknown };
interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

function blocksOf(message: Message): Block[] {
  switch (message.role) {
    case "user":
      return [{ type: "text", text: message.content }];
    case "assistant": {
      const blocks: Block[] = message.content ? [{ type: "text", text: message.content }] : [];
      for (const call of message.toolCalls ?? []) {
        blocks.push({
          type: "tool_use",
          id: call.id,
          name: call.name,
          input: toolArgumentsObject(call.arguments),
        });
      }
      return blocks.length ? blocks : [{ type: "text", text: "(no content)" }];
    }
    case "tool":
      return [
        {
          type: "tool_result",
          tool_use_id: message.toolCallId,
          content: message.content,
          ...(message.isError ? { is_error: true } : {}),
        },
      ];
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The Anthropic form of the conversation: roles only `user`/`assistant`, tool results as
 * `tool_result` blocks in a user message; consecutive same-role entries (several tool results,
 * or tool results followed by user text) merge into one message.
 */
export function toAnthropicMessages(messages: Message[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (const message of messages) {
    const role = message.role === "assistant" ? "assistant" : "user";
    const last = out.at(-1);
    if (last && last.role === role) last.content.push(...blocksOf(message));
    else out.push({ role, content: blocksOf(message) });
  }
  return out;
}

/** Default `max_tokens`, which Anthropic requires on every request. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** The Messages request body, streaming, with the system prompt top-level. */
export function anthropicBody(request: ModelRequest, maxOutputTokens: number | undefined): unknown {
  return {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    ...(request.system ? { system: request.system } : {}),
    messages: toAnthropicMessages(request.messages),
    ...(request.tools.length
      ? {
          tools: request.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            input_schema: { type: "object", ...tool.parameters },
          })),
        }
      : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    stream: true,
  };
}
