import type { Message, ToolSchema } from "../../spec/model.ts";

/**
 * Benchmark-driven: the JSON text of each message, of each conversation's messages joined, and of
 * each tool list, computed once. A message never changes once it is in the history, a conversation
 * only grows between turns, and an agent's tool schemas are one array for all its runs, so a turn
 * appends the new messages' text to the conversation's instead of serialising (or even looking up
 * and joining) the whole history again (docs/BENCHMARKS.md, `scripts/bench/turns.ts`). Weakly keyed
 * and owned by one provider instance (no module state): a dropped history frees its text.
 */
export interface JsonCache {
  /**
   * The messages' texts joined with commas. Reuses the text of the same array's previous call
   * when the messages it covered are still its first ones, the same objects in the same order;
   * otherwise starts again.
   */
  conversation(messages: readonly Message[], toWire: (message: Message) => unknown): string;
  tools(tools: readonly ToolSchema[], toWire: (tools: readonly ToolSchema[]) => unknown): string;
}

/** What `conversation` built for one messages array: the objects it covered and their text. */
interface ConversationText {
  covered: Message[];
  text: string;
}

/** A new, empty cache. */
export function createJsonCache(): JsonCache {
  const messages = new WeakMap<Message, string>();
  const conversations = new WeakMap<readonly Message[], ConversationText>();
  const toolLists = new WeakMap<readonly ToolSchema[], string>();
  const message = (entry: Message, toWire: (message: Message) => unknown): string => {
    let json = messages.get(entry);
    if (json === undefined) {
      json = JSON.stringify(toWire(entry));
      messages.set(entry, json);
    }
    return json;
  };
  return {
    conversation(list, toWire) {
      let built = conversations.get(list);
      if (!built || !stillCovers(built.covered, list)) {
        built = { covered: [], text: "" };
        conversations.set(list, built);
      }
      for (let i = built.covered.length; i < list.length; i++) {
        const entry = list[i] as Message;
        const json = message(entry, toWire);
        built.text = i === 0 ? json : `${built.text},${json}`;
        built.covered.push(entry);
      }
      return built.text;
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

/** Whether `list` still starts with exactly the `covered` messages (same objects, same order). */
function stillCovers(covered: readonly Message[], list: readonly Message[]): boolean {
  if (covered.length > list.length) return false;
  for (let i = 0; i < covered.length; i++) if (covered[i] !== list[i]) return false;
  return true;
}
