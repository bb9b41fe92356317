import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ModelEvent } from "../../spec/model.ts";
import type { ModelHandle } from "../types.ts";
import { CASSETTE_VERSION, type CassetteTurn, summarizeMessage, turnNumber } from "./cassette.ts";

/**
 * One cassette being written (`--record FILE`). The first turn truncates the file and writes the
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
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(
          path,
          `${JSON.stringify({ agentry_cassette: CASSETTE_VERSION, created: new Date().toISOString(), model: turn.model })}\n`,
        );
        started = true;
      }
      appendFileSync(path, `${JSON.stringify(turn)}\n`);
    },
  };
}

/**
 * Wraps a model so each successful turn is written to a cassette (JSONL) through `writer`.
 * Turns that end in an error are not recorded. Events pass through unchanged.
 */
export function recordModel(inner: ModelHandle, writer: CassetteWriter): ModelHandle {
  return {
    ref: inner.ref,
    providerId: inner.providerId,
    model: inner.model,
    async *stream(request) {
      const events: ModelEvent[] = [];
      for await (const event of inner.stream(request)) {
        if (event.type === "finish") {
          writer.append({
            turn: turnNumber(request),
            model: inner.ref,
            request: { messages: request.messages.map(summarizeMessage) },
            events: [...events, event] as CassetteTurn["events"],
          });
        } else if (event.type !== "error") {
          events.push(structuredClone(event));
        }
        yield event;
      }
    },
  };
}
