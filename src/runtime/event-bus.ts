import { IsoStamp } from "../clock/iso-stamp.ts";
import { EVENT_VERSION, type RunEvent, type RunEventInput } from "../spec/events.ts";

/** Receives every event of a run and of its sub-agents, already enveloped and redacted. */
export type EventListener = (event: RunEvent) => void;

/**
 * Puts the SPEC §2 envelope on events and passes them through the redactor before anyone sees
 * them, so no listener (terminal, ndjson, library host) can observe a secret or PII value.
 * Streamed text is released word by word: the unfinished last word is held back until the next
 * whitespace or event, so a secret split across deltas is still redacted whole.
 */
export class EventBus {
  private readonly heldText = new Map<string, string>();
  private readonly stamp = new IsoStamp();

  /**
   * `clock` defaults to the current time, formatted once per millisecond (`IsoStamp`).
   * `deltas: false` drops streamed text before it is built or redacted: run records and traces
   * take the whole `message` instead, so a run nobody watches does not pay for every delta.
   */
  constructor(
    private readonly listener: EventListener,
    private readonly scrub: <T>(value: T) => T,
    private readonly clock?: () => Date,
    private readonly deltas = true,
  ) {}

  /** An emitter bound to one run and agent, for the loop and the pipeline. */
  emitterFor(runId: string, agent: string): (event: RunEventInput) => void {
    const key = `${runId}\u0000${agent}`;
    const send = (event: RunEventInput) => {
      const ts = this.clock ? this.clock().toISOString() : this.stamp.now();
      const enveloped = Object.assign(
        { v: EVENT_VERSION, type: event.type, ts, run_id: runId, agent },
        event,
      );
      this.listener(this.scrub(enveloped) as RunEvent);
    };
    return (event) => {
      const held = this.heldText.get(key) ?? "";
      if (event.type === "text_delta") {
        if (!this.deltas) return;
        const text = held + event.text;
        const cut = Math.max(text.lastIndexOf(" "), text.lastIndexOf("\n"), text.lastIndexOf("\t")) + 1;
        this.heldText.set(key, text.slice(cut));
        if (cut > 0) send({ type: "text_delta", text: text.slice(0, cut) });
        return;
      }
      if (held !== "") {
        this.heldText.delete(key);
        send({ type: "text_delta", text: held });
      }
      send(event);
    };
  }
}
