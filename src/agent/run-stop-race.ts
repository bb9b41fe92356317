import type { Clock } from "../spec/clock.ts";
import type { ToolResult } from "../spec/tool.ts";
import { stopReasonOf } from "./run-stop.ts";

/**
 * How long a call may take to wind down after its run was stopped (deadline, Ctrl-C) before the
 * loop stops waiting for it. A tool that honours its AbortSignal finishes well within it.
 */
export const RUN_STOP_GRACE_MS = 1000;

/** Timers for `untilRunStops`: part of the one `Clock`, injected so tests use a fake one. */
export type GraceTimer = Pick<Clock, "setTimeout" | "clearTimeout">;

/**
 * The call's result, or — when the run stops (its signal aborts) and the call has not settled
 * `graceMs` later — a tool error saying it was abandoned, so a tool that ignores cancellation
 * (a blocking read, a process that escaped its group) cannot hold the run past its deadline or
 * a Ctrl-C. The abandoned call is left to finish or die with the process. (The listener needs no
 * `once`: a signal aborts at most once, and the option makes each call's registration cost twice
 * as much.)
 */
export function untilRunStops(
  pending: Promise<ToolResult>,
  runSignal: AbortSignal,
  timer: GraceTimer,
  graceMs = RUN_STOP_GRACE_MS,
): Promise<ToolResult> {
  return new Promise<ToolResult>((resolve, reject) => {
    let grace: unknown;
    let settled = false;
    const abandon = () => {
      grace = timer.setTimeout(() => {
        if (settled) return;
        settled = true;
        resolve({
          ok: false,
          output: "",
          error: `abandoned: the run stopped (${stopReasonOf(runSignal)}) and the tool did not finish within ${graceMs}ms of being cancelled`,
          stop: { reason: "cancelled", by: "run" },
        });
      }, graceMs);
    };
    const done = () => {
      settled = true;
      runSignal.removeEventListener("abort", abandon);
      if (grace !== undefined) timer.clearTimeout(grace);
    };
    if (runSignal.aborted) abandon();
    else runSignal.addEventListener("abort", abandon);
    pending.then(
      (result) => {
        if (settled) return;
        done();
        resolve(result);
      },
      (err: unknown) => {
        if (settled) return;
        done();
        reject(err);
      },
    );
  });
}
