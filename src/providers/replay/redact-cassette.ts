import type { ModelEvent } from "../../spec/model.ts";

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
 * kept as they streamed. Replay yields what was stored.
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
    const args = "index" in event ? redactedArgs.get(event.index) : undefined;
    if (args === undefined) out.push(event);
    else if (event.type === "tool-call-end") {
      out.push({ type: "tool-call-delta", index: event.index, argumentsDelta: args });
      out.push({ ...event, call: { ...event.call, arguments: args } });
    } else if (event.type !== "tool-call-delta") out.push(event);
  }
  flushText();
  return out;
}
