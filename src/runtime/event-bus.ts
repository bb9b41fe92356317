import { IsoStamp } from "../clock/iso-stamp.ts";
import { EVENT_VERSION, type RunEvent, type RunEventInput } from "../spec/events.ts";

/** What the bus needs of the run's redactor. */
export interface EventScrubber {
  redactValue<T>(value: T): T;
  /** How much of held streamed text can be released now (see `Redactor.streamCut`). */
  streamCut(text: string): number;
}

/** Receives every event of a run and of its sub-agents, already enveloped and redacted. */
export type EventListener = (event: RunEvent) => void;

/**
 * Puts the SPEC §2 envelope on events and passes them through the redactor before anyone sees
 * them, so no listener (terminal, ndjson, library host) can observe a secret or PII value.
 * Streamed text is released in pieces the redactor says are safe (`EventScrubber.streamCut`): the
 * last words are held back until more text or another event arrives, so a secret split across
 * deltas, also one holding spaces, is still redacted whole.
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
    private readonly scrubber: EventScrubber,
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
      this.listener(this.scrubber.redactValue(enveloped) as RunEvent);
    };
    return (event) => {
      const held = this.heldText.get(key) ?? "";
      if (event.type === "text_delta") {
        if (!this.deltas) return;
        const text = held + event.text;
        const cut = this.scrubber.streamCut(text);
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
