import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ModelEvent } from "../../spec/model.ts";
import type { ModelHandle } from "../types.ts";
import { CASSETTE_VERSION, type CassetteTurn, summarizeMessage, turnNumber } from "./cassette.ts";

const startedFiles = new Set<string>();

function ensureStarted(file: string, model: string): void {
  const path = resolve(file);
  if (startedFiles.has(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ agentry_cassette: CASSETTE_VERSION, created: new Date().toISOString(), model })}\n`,
  );
  startedFiles.add(path);
}

/**
 * Wraps a model so each successful turn is appended to a cassette (JSONL). The first wrapper
 * for a file in a process truncates it and writes the header; later ones (sub-agents) append,
 * one whole line per turn, written synchronously so concurrent agents never interleave.
 * Turns that end in an error are not recorded. Events pass through unchanged.
 */
export function recordModel(inner: ModelHandle, file: string): ModelHandle {
  return {
    ref: inner.ref,
    providerId: inner.providerId,
    model: inner.model,
    async *stream(request) {
      const events: ModelEvent[] = [];
      for await (const event of inner.stream(request)) {
        if (event.type === "finish") {
          ensureStarted(file, inner.ref);
          const line: CassetteTurn = {
            turn: turnNumber(request),
            model: inner.ref,
            request: { messages: request.messages.map(summarizeMessage) },
            events: [...events, event] as CassetteTurn["events"],
          };
          appendFileSync(resolve(file), `${JSON.stringify(line)}\n`);
        } else if (event.type !== "error") {
          events.push(structuredClone(event));
        }
        yield event;
      }
    },
  };
}
