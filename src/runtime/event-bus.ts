import { EVENT_VERSION, type RunEvent, type RunEventInput } from "../spec/events.ts";

/** Receives every event of a run and of its sub-agents, already enveloped and redacted. */
export type EventListener = (event: RunEvent) => void;

/**
 * Puts the SPEC §2 envelope on events and passes them through the redactor before anyone sees
 * them, so no listener (terminal, ndjson, library host) can observe a secret or PII value.
 */
export class EventBus {
  constructor(
    private readonly listener: EventListener,
    private readonly scrub: <T>(value: T) => T,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** An emitter bound to one run and agent, for the loop and the pipeline. */
  emitterFor(runId: string, agent: string): (event: RunEventInput) => void {
    return (event) => {
      const enveloped = {
        v: EVENT_VERSION,
        type: event.type,
        ts: this.clock().toISOString(),
        run_id: runId,
        agent,
      };
      this.listener(this.scrub({ ...enveloped, ...event }) as RunEvent);
    };
  }
}
