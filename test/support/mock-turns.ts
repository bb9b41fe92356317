import type { MockRequest, MockTurn } from "../../src/testing/index.ts";

/**
 * Scripted mock turns chosen by how many tool results the conversation already holds (turn 0 for
 * none), so a script survives being replayed by several runs of one test (defer, resume, re-run).
 */
export function byToolResults(turns: readonly MockTurn[]): (request: MockRequest) => MockTurn {
  return (request) => {
    const messages = (request.body as { messages: { role: string }[] }).messages;
    const results = messages.filter((message) => message.role === "tool").length;
    return turns[results] ?? { text: "no more turns scripted" };
  };
}

/** The chat messages of an OpenAI-style request the mock received. */
export interface ChatMessage {
  role: string;
  content: string | null;
}

/** The messages of a request the mock received. */
export const messagesOf = (request: MockRequest): ChatMessage[] =>
  (request.body as { messages: ChatMessage[] }).messages;

/** The system prompt of a request ("" without one). */
export const systemOf = (request: MockRequest): string =>
  messagesOf(request).find((message) => message.role === "system")?.content ?? "";

/** The last message of a request (the prompt, or the latest tool result). */
export const lastOf = (request: MockRequest) =>
  messagesOf(request).at(-1) as { role: string; content: string };

/** A turn in which the model calls shell tool `sh` once. */
export const shellCall = (id: string, command: string): MockTurn => ({
  toolCalls: [{ id, name: "sh", arguments: { command } }],
});
