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
