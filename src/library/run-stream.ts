import type { RunRequest, RunResult } from "../runtime/run-request.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { RunEvent } from "../spec/events.ts";
import { EventChannel } from "./event-channel.ts";

/** A run in progress: its events as they happen, and how it ended. */
export interface RunStream {
  /**
   * Every event of the run (sub-agents' included, told apart by `run_id`), ending after
   * `run_end`. Iterate it once; events are buffered until read, so a slow reader never slows the
   * run. Leaving the loop early stops the buffering, not the run (abort `request.signal` for that).
   * If the run cannot start (unknown agent), iteration throws the same error `result` rejects with.
   */
  events: AsyncIterable<RunEvent>;
  /** Resolves when the run ends (after its `run_end` event), like `runtime.run`. */
  result: Promise<RunResult>;
}

/**
 * Starts a run and exposes its events as an async iterable, for hosts that prefer
 * `for await (const event of events)` to an `onEvent` callback. A callback already present on
 * `request.onEvent` is still called, first.
 */
export function runStream(runtime: Runtime, request: RunRequest): RunStream {
  const channel = new EventChannel<RunEvent>();
  const onEvent = request.onEvent;
  let result: Promise<RunResult>;
  try {
    result = runtime.run({
      ...request,
      onEvent: (event) => {
        onEvent?.(event);
        channel.push(event);
      },
    });
  } catch (err) {
    result = Promise.reject(err);
  }
  result.then(
    () => channel.end(),
    (err: unknown) => channel.fail(err),
  );
  return { events: channel, result };
}
