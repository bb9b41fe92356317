import type { CassetteTurn, MessageSummary } from "./cassette.ts";
import { sameRecordedText } from "./redact-cassette.ts";

function clip(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function calls(summary: Extract<MessageSummary, { role: "assistant" }>): string {
  return `[${summary.toolCalls.map((c) => `${c.name}#${c.id}`).join(", ")}]`;
}

/** Whether two summaries are the same for replay purposes. */
export function sameMessage(a: MessageSummary, b: MessageSummary): boolean {
  return describeMessageDifference(a, b, 0) === undefined;
}

/** What differs between a recorded and an actual message, or undefined when they match. */
export function describeMessageDifference(
  recorded: MessageSummary,
  actual: MessageSummary,
  position: number,
): string | undefined {
  const where = `message ${position + 1}`;
  if (recorded.role !== actual.role) return `${where}: expected role ${recorded.role}, got ${actual.role}`;
  if (
    recorded.role === "user" &&
    actual.role === "user" &&
    !sameRecordedText(recorded.content, actual.content)
  ) {
    return `${where} (user): expected ${clip(recorded.content)}, got ${clip(actual.content)}`;
  }
  if (recorded.role === "assistant" && actual.role === "assistant" && calls(recorded) !== calls(actual)) {
    return `${where} (assistant): expected tool calls ${calls(recorded)}, got ${calls(actual)}`;
  }
  if (
    recorded.role === "tool" &&
    actual.role === "tool" &&
    (recorded.toolCallId !== actual.toolCallId || recorded.toolName !== actual.toolName)
  ) {
    return `${where} (tool result): expected ${recorded.toolName}#${recorded.toolCallId}, got ${actual.toolName}#${actual.toolCallId}`;
  }
  return undefined;
}

function commonPrefix(recorded: MessageSummary[], actual: MessageSummary[]): number {
  let n = 0;
  while (
    n < recorded.length &&
    n < actual.length &&
    sameMessage(recorded[n] as MessageSummary, actual[n] as MessageSummary)
  ) {
    n++;
  }
  return n;
}

/** The outcome of looking a request up in a cassette. */
export type TurnMatch<T> = { turn: T } | { divergence: string };

/**
 * Finds the recorded turn for a request: the first whose summary equals it exactly. Matching
 * by content rather than by a counter keeps replay stateless, so sub-agents and parallel
 * agents sharing one cassette each find their own turns. Without a match, the closest recorded
 * turn (longest common prefix) explains what differed.
 */
export function matchTurn<T extends CassetteTurn & { line: number }>(
  turns: T[],
  actual: MessageSummary[],
  turnNumber: number,
): TurnMatch<T> {
  let best: { turn: T; prefix: number } | undefined;
  for (const turn of turns) {
    const recorded = turn.request.messages;
    const prefix = commonPrefix(recorded, actual);
    if (prefix === recorded.length && prefix === actual.length) return { turn };
    if (!best || prefix > best.prefix) best = { turn, prefix };
  }
  const head = `replay diverged at turn ${turnNumber}`;
  if (!best) return { divergence: `${head}: the cassette has no turns` };
  const recorded = best.turn.request.messages;
  const at = best.prefix;
  if (at === recorded.length) {
    const first = actual[0];
    const recordedTurns = turns.filter((t) => {
      const opening = t.request.messages[0];
      return opening !== undefined && first !== undefined && sameMessage(opening, first);
    }).length;
    return {
      divergence: `${head}: more turns requested than recorded (this conversation has ${recordedTurns} recorded turn(s); closest is line ${best.turn.line})`,
    };
  }
  if (at === actual.length) {
    return {
      divergence: `${head}: expected ${recorded.length} messages, got ${actual.length} (cassette line ${best.turn.line})`,
    };
  }
  const detail = describeMessageDifference(recorded[at] as MessageSummary, actual[at] as MessageSummary, at);
  return { divergence: `${head}: ${detail} (cassette line ${best.turn.line})` };
}
