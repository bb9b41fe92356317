import type { ModelEvent, ToolCall } from "../../spec/model.ts";

interface PendingCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/**
 * Reassembles streamed tool calls keyed by index. Start and delta events go out as they
 * arrive; `complete` yields the `tool-call-end` events only once the stream is known to be
 * whole, so a truncated stream never produces a half-parsed call.
 */
export class ToolCallAssembler {
  readonly #calls = new Map<number, PendingCall>();

  /** Whether a call with this index was started. */
  has(index: number): boolean {
    return this.#calls.has(index);
  }

  start(index: number, id: string, name: string): ModelEvent {
    this.#calls.set(index, { index, id, name, arguments: "" });
    return { type: "tool-call-start", index, id, name };
  }

  /** Appends an argument fragment; returns no event for an empty fragment or an unknown index. */
  append(index: number, fragment: string): ModelEvent | undefined {
    const call = this.#calls.get(index);
    if (!call || fragment === "") return undefined;
    call.arguments += fragment;
    return { type: "tool-call-delta", index, argumentsDelta: fragment };
  }

  get size(): number {
    return this.#calls.size;
  }

  /** The `tool-call-end` events, in index order. Empty arguments become `{}`. */
  complete(): ModelEvent[] {
    return [...this.#calls.values()]
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        const call: ToolCall = { id: c.id, name: c.name, arguments: c.arguments === "" ? "{}" : c.arguments };
        return { type: "tool-call-end", index: c.index, call };
      });
  }
}
