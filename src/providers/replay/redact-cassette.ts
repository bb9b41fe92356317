import type { ModelEvent } from "../../spec/model.ts";

/** Redacts text for a cassette: secret values (and personal data) become placeholders. */
export type CassetteRedactor = (text: string) => string;

const PLACEHOLDER_DIGEST = /\[PII:([a-z_]+):[0-9a-f]{6,64}\]/g;

/**
 * A placeholder without its digest (`[PII:secret:3f9a1c]` → `[PII:secret]`). Digests are keyed per
 * run, so a recorded placeholder and the one a replay computes for the same value differ;
 * compared without digests, a redacted recording still matches the conversation that made it.
 */
export function withoutDigests(text: string): string {
  return text.includes("[PII:") ? text.replace(PLACEHOLDER_DIGEST, "[PII:$1]") : text;
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
