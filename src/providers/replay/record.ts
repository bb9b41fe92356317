import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ModelEvent } from "../../spec/model.ts";
import type { ModelHandle } from "../types.ts";
import { CASSETTE_VERSION, type CassetteTurn, summarizeMessage, turnNumber } from "./cassette.ts";
import { type CassetteRedactor, redactEvents, redactSummary } from "./redact-cassette.ts";

/**
 * One cassette being written (`--record FILE`, mode 0600; a directory made for it 0700). The first turn truncates the file and writes the
 * header; later turns (of sub-agents, of other runs of the same runtime) append one whole line
 * each, synchronously, so concurrent agents never interleave. Owned by whoever opens it (a
 * runtime keeps one per file), so a second runtime starts the file afresh.
 */
export interface CassetteWriter {
  readonly path: string;
  append(turn: CassetteTurn): void;
}

/** A writer for `file`; nothing is written until the first turn. */
export function createCassetteWriter(file: string): CassetteWriter {
  const path = resolve(file);
  let started = false;
  return {
    path,
    append(turn) {
      if (!started) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(
          path,
          `${JSON.stringify({ agentry_cassette: CASSETTE_VERSION, created: new Date().toISOString(), model: turn.model })}\n`,
          { mode: 0o600 },
        );
        chmodSync(path, 0o600);
        started = true;
      }
      appendFileSync(path, `${JSON.stringify(turn)}\n`);
    },
  };
}

/**
 * Wraps a model so each successful turn is written to a cassette (JSONL) through `writer`.
 * Turns that end in an error are not recorded. Events pass through unchanged. With `redact` (the
 * run's redactor), stored user messages, text, tool names, call ids and arguments are redacted
 * (`redactSummary`, `redactEvents`).
 */
export function recordModel(
  inner: ModelHandle,
  writer: CassetteWriter,
  redact?: CassetteRedactor,
): ModelHandle {
  return {
    ref: inner.ref,
    providerId: inner.providerId,
    model: inner.model,
    async *stream(request) {
      const events: ModelEvent[] = [];
      for await (const event of inner.stream(request)) {
        if (event.type === "finish") {
          const summaries = request.messages.map(summarizeMessage);
          writer.append({
            turn: turnNumber(request),
            model: inner.ref,
            request: {
              messages: redact ? summaries.map((m) => redactSummary(m, redact)) : summaries,
            },
            events: [...(redact ? redactEvents(events, redact) : events), event] as CassetteTurn["events"],
          });
        } else if (event.type !== "error") {
          events.push(structuredClone(event));
        }
        yield event;
      }
    },
  };
}
