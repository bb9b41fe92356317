import type { ApproveMode, ScheduleConfig } from "../config/schema.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { AgentryError, type SerializedError, serializeError } from "../spec/errors.ts";
import type { RunStatus, StopReason } from "../spec/events.ts";
import { ExitCode, type ExitCodeValue } from "../spec/exit-codes.ts";

/** Why a schedule ran: its cron time, a missed-run catch-up at start, or `--once`. */
export type RunTrigger = "cron" | "missed" | "once";

/** The JSON line `agentry schedule` prints on stdout for each run. */
export interface ScheduleLine {
  schedule: string;
  /** Null when the run could not start (e.g. the agent's tool is unavailable in this build). */
  run_id: string | null;
  status: RunStatus;
  stop_reason: StopReason;
  answer: string;
  fired_at: string;
  trigger: RunTrigger;
  error?: SerializedError;
}

/** A finished scheduled run: its output line and the exit code the CLI would give it. */
export interface ScheduleOutcome {
  line: ScheduleLine;
  exitCode: ExitCodeValue;
}

/** How one fire runs. */
export interface ScheduleFire {
  at: Date;
  trigger: RunTrigger;
  approve: ApproveMode;
  signal: AbortSignal;
}

/**
 * Runs one schedule's agent through `runtime.run`, so it is governed and audited like any run.
 * Never throws: a run that cannot start becomes a `failed` line carrying the error.
 */
export async function runSchedule(
  runtime: Runtime,
  name: string,
  schedule: ScheduleConfig,
  fire: ScheduleFire,
): Promise<ScheduleOutcome> {
  const base = { schedule: name, fired_at: fire.at.toISOString(), trigger: fire.trigger };
  try {
    const result = await runtime.run({
      target: schedule.agent,
      prompt: schedule.prompt,
      ...(schedule.vars ? { vars: schedule.vars } : {}),
      approve: fire.approve,
      signal: fire.signal,
    });
    return {
      line: {
        ...base,
        run_id: result.runId,
        status: result.status,
        stop_reason: result.stopReason,
        answer: result.answer,
        ...(result.error ? { error: result.error } : {}),
      },
      exitCode: result.exitCode,
    };
  } catch (err) {
    const error = serializeError(err);
    const exitCode = err instanceof AgentryError ? err.exitCode : ExitCode.agentFailed;
    return {
      line: { ...base, run_id: null, status: "failed", stop_reason: "error", answer: "", error },
      exitCode,
    };
  }
}
