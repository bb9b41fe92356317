import type { Message, ModelRequest } from "../../spec/model.ts";
import { toolArgumentsObject } from "../shared/tool-arguments.ts";
import { toGeminiSchema } from "./schema.ts";

type Part = { [key: string]: unknown };
interface Content {
  role: "user" | "model";
  parts: Part[];
}

function partsOf(message: Message): Part[] {
  switch (message.role) {
    case "user":
      return [{ text: message.content }];
    case "assistant": {
      const parts: Part[] = message.content ? [{ text: message.content }] : [];
      for (const call of message.toolCalls ?? []) {
        parts.push({ functionCall: { name: call.name, args: toolArgumentsObject(call.arguments) } });
      }
      return parts.length ? parts : [{ text: "" }];
    }
    case "tool":
      return [
        {
          functionResponse: {
            name: message.toolName,
            response: message.isError ? { error: message.content } : { content: message.content },
          },
        },
      ];
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Gemini `contents`: roles `user`/`model`; tool results become `functionResponse` parts of one
 * user turn, in the order of the calls, matched by name (no ids are sent, since agentry
 * synthesises them when Gemini gives none).
 */
export function toGeminiContents(messages: Message[]): Content[] {
  const out: Content[] = [];
  for (const message of messages) {
    const role = message.role === "assistant" ? "model" : "user";
    const last = out.at(-1);
    if (last && last.role === role) last.parts.push(...partsOf(message));
    else out.push({ role, parts: partsOf(message) });
  }
  return out;
}

/** The `generateContent` request body. */
export function geminiBody(request: ModelRequest, maxOutputTokens: number | undefined): unknown {
  const limit = request.maxOutputTokens ?? maxOutputTokens;
  const generationConfig = {
    ...(limit !== undefined ? { maxOutputTokens: limit } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
  return {
    contents: toGeminiContents(request.messages),
    ...(request.system ? { systemInstruction: { parts: [{ text: request.system }] } } : {}),
    ...(request.tools.length
      ? {
          tools: [
            {
              functionDeclarations: request.tools.map((tool) => {
                const parameters = toGeminiSchema(tool.parameters);
                const empty =
                  !parameters.properties || Object.keys(parameters.properties as object).length === 0;
                return { name: tool.name, description: tool.description, ...(empty ? {} : { parameters }) };
              }),
            },
          ],
        }
      : {}),
    ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
  };
}
