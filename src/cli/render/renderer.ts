import type { RunEvent } from "../../spec/events.ts";

/** Turns run events into terminal output. `close` is called once after `run_end`. */
export interface Renderer {
  onEvent(event: RunEvent): void;
  close(): void;
}

export type OutputFormat = "text" | "json" | "ndjson";

/** For commands that report results themselves (`batch`): shows no events. */
export const silentRenderer: Renderer = { onEvent: () => {}, close: () => {} };

/** ndjson: every event as one JSON line on stdout. */
export function ndjsonRenderer(write: (line: string) => void): Renderer {
  return {
    onEvent: (event) => write(`${JSON.stringify(event)}\n`),
    close: () => {},
  };
}

/** json: only the `run_end` object, pretty-printed, on stdout. */
export function jsonRenderer(write: (text: string) => void): Renderer {
  return {
    onEvent: (event) => {
      if (event.type === "run_end") write(`${JSON.stringify(event, null, 2)}\n`);
    },
    close: () => {},
  };
}
