import type { ProviderError } from "../spec/errors.ts";
import type { FinishReason, ModelEvent, ToolCall, Usage } from "../spec/model.ts";

/** What one streamed model response amounted to. */
export interface TurnOutcome {
  text: string;
  toolCalls: ToolCall[];
  usage?: Usage;
  finish?: FinishReason;
  error?: ProviderError;
}

/**
 * Consumes a model stream, forwarding text as it arrives; never throws. `onFirstOutput` is told
 * once, at the first text or tool call (time to first token).
 */
export async function consumeTurn(
  events: AsyncIterable<ModelEvent>,
  onText: (text: string) => void,
  onFirstOutput: () => void = () => {},
): Promise<TurnOutcome> {
  const outcome: TurnOutcome = { text: "", toolCalls: [] };
  let started = false;
  for await (const event of events) {
    if (!started && (event.type === "text-delta" || event.type === "tool-call-start")) {
      started = true;
      onFirstOutput();
    }
    switch (event.type) {
      case "text-delta":
        outcome.text += event.text;
        onText(event.text);
        break;
      case "tool-call-end":
        outcome.toolCalls.push(event.call);
        break;
      case "usage":
        outcome.usage = event.usage;
        break;
      case "finish":
        outcome.finish = event.reason;
        break;
      case "error":
        outcome.error = event.error;
        break;
      case "tool-call-start":
      case "tool-call-delta":
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown model event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return outcome;
}
