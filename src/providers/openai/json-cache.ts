import type { Message, ToolSchema } from "../../spec/model.ts";

/**
 * Benchmark-driven: the JSON text of each message and of each tool list, computed once. A message
 * never changes once it is in the history and an agent's tool schemas are one array for all its
 * runs, so a turn joins cached text instead of serialising the whole history again: about 20 %
 * less CPU per turn at 1000 turns (docs/BENCHMARKS.md, `scripts/bench/turns.ts`). Weakly keyed
 * and owned by one provider instance (no module state): a dropped history frees its text.
 */
export interface JsonCache {
  message(message: Message, toWire: (message: Message) => unknown): string;
  tools(tools: readonly ToolSchema[], toWire: (tools: readonly ToolSchema[]) => unknown): string;
}

/** A new, empty cache. */
export function createJsonCache(): JsonCache {
  const messages = new WeakMap<Message, string>();
  const toolLists = new WeakMap<readonly ToolSchema[], string>();
  return {
    message(message, toWire) {
      let json = messages.get(message);
      if (json === undefined) {
        json = JSON.stringify(toWire(message));
        messages.set(message, json);
      }
      return json;
    },
    tools(tools, toWire) {
      let json = toolLists.get(tools);
      if (json === undefined) {
        json = JSON.stringify(toWire(tools));
        toolLists.set(tools, json);
      }
      return json;
    },
  };
}
