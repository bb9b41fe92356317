import type { ModelEvent } from "../../spec/model.ts";
import type { MessageSummary } from "./cassette.ts";

/** Redacts text for a cassette: secret values (and personal data) become placeholders. */
export type CassetteRedactor = (text: string) => string;

const PLACEHOLDER = /\[PII:[a-z_]+:[0-9a-f]{6,64}\]/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Whether an actual user message is the one a cassette recorded. A redacting recorder stored
 * placeholders (`[PII:secret:3f9a1c]`) where the conversation had secrets or personal data, and
 * their digests are keyed per run, so each recorded placeholder matches any non-empty text: the
 * real value on replay, or another run's placeholder. Everything else must be equal.
 */
export function sameRecordedText(recorded: string, actual: string): boolean {
  if (recorded === actual) return true;
  if (!recorded.includes("[PII:")) return false;
  const literal = recorded.split(PLACEHOLDER).map(escapeRegex);
  if (literal.length === 1) return false;
  return new RegExp(`^${literal.join("[\\s\\S]+?")}$`).test(actual);
}

/**
 * A turn's events as a cassette stores them: where a run of consecutive text deltas, or a tool
 * call's arguments, hold something to redact, they are redacted whole (one delta, and the end
 * event), so a secret split across stream fragments is still caught; otherwise the events are
 * kept as they streamed. Tool names and call ids (which the model or provider chose) are redacted
 * too, like `redactSummary` does in the recorded requests, so a replay stays consistent. Replay
 * yields what was stored.
 */
export function redactEvents(events: readonly ModelEvent[], redact: CassetteRedactor): ModelEvent[] {
  const out: ModelEvent[] = [];
  let texts: Extract<ModelEvent, { type: "text-delta" }>[] = [];
  const flushText = () => {
    if (texts.length === 0) return;
    const joined = texts.map((event) => event.text).join("");
    const redacted = redact(joined);
    if (redacted === joined) out.push(...texts);
    else out.push({ type: "text-delta", text: redacted });
    texts = [];
  };
  const redactedArgs = new Map<number, string>();
  for (const event of events) {
    if (event.type === "tool-call-end") {
      const args = redact(event.call.arguments);
      if (args !== event.call.arguments) redactedArgs.set(event.index, args);
    }
  }
  for (const event of events) {
    if (event.type === "text-delta") {
      texts.push(event);
      continue;
    }
    flushText();
    if (event.type === "tool-call-start") {
      out.push({ ...event, id: redact(event.id), name: redact(event.name) });
      continue;
    }
    const args = "index" in event ? redactedArgs.get(event.index) : undefined;
    if (event.type === "tool-call-end") {
      if (args !== undefined) out.push({ type: "tool-call-delta", index: event.index, argumentsDelta: args });
      const { id, name, arguments: raw } = event.call;
      out.push({ ...event, call: { id: redact(id), name: redact(name), arguments: args ?? raw } });
    } else if (args === undefined || event.type !== "tool-call-delta") out.push(event);
  }
  flushText();
  return out;
}

/**
 * A recorded request's message as a cassette stores it: the user's text, and the tool names and
 * call ids of assistant and tool messages, redacted.
 */
export function redactSummary(message: MessageSummary, redact: CassetteRedactor): MessageSummary {
  switch (message.role) {
    case "user":
      return { ...message, content: redact(message.content) };
    case "assistant":
      return {
        ...message,
        toolCalls: message.toolCalls.map((call) => ({ id: redact(call.id), name: redact(call.name) })),
      };
    case "tool":
      return { ...message, toolCallId: redact(message.toolCallId), toolName: redact(message.toolName) };
  }
}
