import { ProviderError } from "../spec/errors.ts";
import type { FinishReason, ModelEvent, ToolCall, Usage } from "../spec/model.ts";

/** A whole model turn, as `collectTurn` returns it. */
export interface CollectedTurn {
  text: string;
  toolCalls: ToolCall[];
  usage?: Usage;
  finish: FinishReason;
}

/**
 * Drains a model stream into one result, for tests and simple callers that do not need
 * incremental text. Throws the ProviderError of an `error` event (or a protocol error when the
 * stream ended without `finish`, which a conforming provider never does).
 */
export async function collectTurn(stream: AsyncIterable<ModelEvent>): Promise<CollectedTurn> {
  let text = "";
  const toolCalls: ToolCall[] = [];
  let usage: Usage | undefined;
  for await (const event of stream) {
    switch (event.type) {
      case "text-delta":
        text += event.text;
        break;
      case "tool-call-end":
        toolCalls.push(event.call);
        break;
      case "usage":
        usage = event.usage;
        break;
      case "error":
        throw event.error;
      case "finish":
        return { text, toolCalls, ...(usage ? { usage } : {}), finish: event.reason };
      case "tool-call-start":
      case "tool-call-delta":
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown model event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  throw new ProviderError("model stream ended without a finish event", {
    provider: "unknown",
    kind: "protocol",
  });
}
