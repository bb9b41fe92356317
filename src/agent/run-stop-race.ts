import { STOPS } from "../middleware/layer-names.ts";
import { CANCEL_GRACE_MS } from "../middleware/timeout/index.ts";
import type { Clock } from "../spec/clock.ts";
import { describeStop } from "../spec/run-stop.ts";
import type { ToolResult } from "../spec/tool.ts";

/**
 * How long the loop waits for a call after its run was stopped (deadline, Ctrl-C) or its turn
 * cancelled. A backstop: the pipeline's timeout layer abandons a cancelled call CANCEL_GRACE_MS
 * after it was cancelled, with a result the audit layer records; the loop gives up on its own
 * only when the pipeline does not settle even then (a library layer below the timeout layer that
 * ignores cancellation).
 */
export const RUN_STOP_GRACE_MS = CANCEL_GRACE_MS + 500;

/** Timers for `RunStopRace`: part of the one `Clock`, injected so tests use a fake one. */
export type GraceTimer = Pick<Clock, "setTimeout" | "clearTimeout">;

/**
 * Races the tool calls of one run against the run's stop: `untilRunStops` gives a call's result,
 * or — when the run stops (its signal aborts) and the call has not settled `graceMs` later — a
 * tool error saying it was abandoned, so a tool that ignores cancellation (a blocking read, a
 * process that escaped its group) cannot hold the run past its deadline or a Ctrl-C. The abandoned
 * call is left to finish or die with the process.
 *
 * Benchmark-driven (issue 13, `scripts/bench/batch.ts`): one per run, it listens to the run's
 * signal once, on its first call, and keeps the calls in flight in a set, instead of adding and
 * removing an abort listener per call (an add/remove pair costs several times a set's add/delete).
 */
export class RunStopRace {
  private readonly inFlight = new Set<() => void>();
  private listening = false;

  constructor(
    private readonly runSignal: AbortSignal,
    private readonly timer: GraceTimer,
    private readonly graceMs = RUN_STOP_GRACE_MS,
  ) {}

  /** `pending`'s outcome, or the abandoned-call error `graceMs` after the run stopped. */
  untilRunStops(pending: Promise<ToolResult>): Promise<ToolResult> {
    const { runSignal, timer, graceMs, inFlight } = this;
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
            error: `abandoned: ${describeStop(runSignal)} and the tool did not finish within ${graceMs}ms of being cancelled`,
            stop: STOPS.cancelled,
          });
        }, graceMs);
      };
      const done = () => {
        settled = true;
        inFlight.delete(abandon);
        if (grace !== undefined) timer.clearTimeout(grace);
      };
      if (runSignal.aborted) abandon();
      else {
        this.listen();
        inFlight.add(abandon);
      }
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

  /**
   * The race of the calls of one turn that share `turnSignal`, which follows the run's signal and
   * also aborts when one of them fails hard (cancelling its siblings): a sibling that ignores
   * that cancellation is abandoned one grace period later too, with the same timer and grace.
   */
  forTurn(turnSignal: AbortSignal): RunStopRace {
    return new RunStopRace(turnSignal, this.timer, this.graceMs);
  }

  /** Listens to the run's signal (once per run): on abort, every call in flight starts its grace. */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    const inFlight = this.inFlight;
    this.runSignal.addEventListener("abort", () => {
      const abandons = [...inFlight];
      inFlight.clear();
      for (const abandon of abandons) abandon();
    });
  }
}
