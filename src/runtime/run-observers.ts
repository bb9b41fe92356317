import type { RunEvent } from "../spec/events.ts";
import type { RunRecorder } from "../state/run-records.ts";
import type { EventListener } from "./event-bus.ts";
import type { RunRequest, RunResult } from "./run-request.ts";
import type { RuntimeContext } from "./runtime-context.ts";

/** Who receives a run's events besides the host: its record in the state dir and the trace exporter. */
export interface RunObservers {
  /** Every listener in one, or undefined when nobody listens (events are then never built). */
  listener: EventListener | undefined;
  /** Whether streamed text is wanted: only the host shows it; records and traces take whole messages. */
  deltas: boolean;
  /** Closes the record with the run's outcome, then exports its trace (bounded, ≤ 2 s). */
  finish(result: RunResult): Promise<void>;
}

/**
 * Sets up a run's record (unless `--ephemeral` or `keep_runs = 0`) and, when telemetry is
 * configured, an in-memory copy of its events for the exporter, which is imported only then.
 */
export function observeRun(
  rt: RuntimeContext,
  request: RunRequest,
  runId: string,
  start: { agent: string; model: string },
): RunObservers {
  const recorder = request.ephemeral ? undefined : openRecorder(rt, runId, start);
  const traced: RunEvent[] | undefined = rt.telemetry ? [] : undefined;
  const sinks: EventListener[] = [];
  if (request.onEvent) sinks.push(request.onEvent);
  if (recorder) sinks.push(recorder.write);
  if (traced) sinks.push((event) => traced.push(event));
  return {
    listener:
      sinks.length <= 1
        ? sinks[0]
        : (event) => {
            for (const sink of sinks) sink(event);
          },
    deltas: request.onEvent !== undefined,
    finish: async (result) => {
      try {
        recorder?.finish({
          status: result.status,
          stopReason: result.stopReason,
          exitCode: result.exitCode,
          durationMs: result.durationMs,
          turns: result.turns,
          usage: result.usage,
        });
      } catch (err) {
        rt.warn(`run record not finished: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (traced && rt.telemetry) await exportTrace(rt, traced);
    },
  };
}

function openRecorder(
  rt: RuntimeContext,
  runId: string,
  start: { agent: string; model: string },
): RunRecorder | undefined {
  try {
    return rt.records.open(runId, start);
  } catch (err) {
    rt.warn(`run record not kept: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

async function exportTrace(rt: RuntimeContext, events: RunEvent[]): Promise<void> {
  const settings = rt.telemetry;
  if (!settings) return;
  const { exportRun } = await import("../telemetry/export-run.ts");
  const providers = rt.loaded.config.providers ?? {};
  const outcome = await exportRun(events, settings, {
    providerName: (ref) => {
      const id = ref.split("/")[0] ?? ref;
      const kind = Object.hasOwn(providers, id) ? providers[id]?.kind : id;
      return kind === "gemini" ? "gcp.gemini" : (kind ?? id);
    },
    ...(rt.version ? { version: rt.version } : {}),
    startTimer: (ms, onTimeout) => {
      const timer = rt.clock.setTimeout(onTimeout, ms);
      return () => rt.clock.clearTimeout(timer);
    },
  });
  if (outcome.ok === false) rt.warn(`telemetry: trace export failed (${outcome.reason})`);
}
