import type { RunStatus, StopReason } from "./events.ts";

/**
 * The reason given to `AbortController.abort()` when a run is stopped from outside the loop
 * (timeout, Ctrl-C, a failing sibling). The loop reads it back to report the right stop reason.
 */
export class RunStop extends Error {
  override readonly name = "RunStop";
  constructor(
    readonly reason: Extract<StopReason, "timeout" | "interrupted" | "cancelled">,
    /** Why, for the model and the user, e.g. `sibling agent_logs failed`. */
    readonly detail?: string,
  ) {
    super(detail ? `run stopped: ${reason} (${detail})` : `run stopped: ${reason}`);
  }
}

/** The stop reason carried by an aborted signal, `cancelled` when it is not a `RunStop`. */
export function stopReasonOf(signal: AbortSignal): RunStop["reason"] {
  return signal.reason instanceof RunStop ? signal.reason.reason : "cancelled";
}

/**
 * How a run halted from outside its loop ends: `timeout` as failed, `interrupted` as interrupted
 * (a deferred run's stop), anything else as stopped and cancelled.
 */
export function statusOfStop(reason: RunStop["reason"]): { status: RunStatus; stopReason: StopReason } {
  if (reason === "timeout") return { status: "failed", stopReason: "timeout" };
  if (reason === "interrupted") return { status: "interrupted", stopReason: "interrupted" };
  return { status: "stopped", stopReason: "cancelled" };
}

/** The detail a `RunStop` on an aborted signal gives (e.g. `hard (call c1) failed`), if any. */
export function stopDetailOf(signal: AbortSignal): string | undefined {
  return signal.reason instanceof RunStop ? signal.reason.detail : undefined;
}

/**
 * Why the calls under `signal` were cancelled, for the error of a call abandoned after it: a
 * sibling's hard failure (`cancelled because hard (call c1) failed`) or the run's stop (`the run
 * stopped (interrupted)`).
 */
export function describeStop(signal: AbortSignal): string {
  const reason = stopReasonOf(signal);
  const detail = stopDetailOf(signal);
  return reason === "cancelled" && detail ? `cancelled because ${detail}` : `the run stopped (${reason})`;
}
