import type { Message, ModelRequest, ToolSchema } from "../../spec/model.ts";

/** Wire forms already built: a message never changes once it is in the history. */
const wireForms = new WeakMap<Message, unknown>();
const wireTools = new WeakMap<readonly ToolSchema[], unknown[]>();

/**
 * The OpenAI Chat Completions form of the conversation: system first, tool results as
 * `role: "tool"`. Each message is converted once and reused on later turns.
 */
export function toOpenAiMessages(system: string | undefined, messages: Message[]): unknown[] {
  const out: unknown[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const message of messages) {
    let wire = wireForms.get(message);
    if (wire === undefined) {
      wire = toOpenAiMessage(message);
      wireForms.set(message, wire);
    }
    out.push(wire);
  }
  return out;
}

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

function toOpenAiTools(tools: readonly ToolSchema[]): unknown[] {
  let wire = wireTools.get(tools);
  if (!wire) {
    wire = tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
    wireTools.set(tools, wire);
  }
  return wire;
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
    ...(request.tools.length ? { tools: toOpenAiTools(request.tools) } : {}),
    ...(limit !== undefined ? { [legacyMaxTokens ? "max_tokens" : "max_completion_tokens"]: limit } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
}
