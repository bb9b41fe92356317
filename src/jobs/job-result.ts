import type { RunResult } from "../runtime/run-request.ts";
import { type SerializedError, serializeError } from "../spec/errors.ts";
import type { UsageTotals } from "../spec/events.ts";

/** A job's status in `batch`'s output (SPEC §12): a run's status, with `interrupted` as `stopped`. */
export type JobStatus = "ok" | "failed" | "stopped" | "awaiting_approval";

/** One result line of `agentry batch` and `agentry submit --wait`. */
export interface JobResultLine {
  id: string;
  /** The run's id, as in the audit log; null when no run started. */
  run_id: string | null;
  status: JobStatus;
  answer: string;
  stop_reason: string;
  usage: UsageTotals | null;
  /** Calls refused by policy during the run (sub-agents included); 0 when no run started. */
  refused_calls: number;
  error?: SerializedError;
}

/** The result line of a job whose run ended (in any state). */
export function resultLine(id: string, result: RunResult): JobResultLine {
  return {
    id,
    run_id: result.runId,
    status: result.status === "interrupted" ? "stopped" : result.status,
    answer: result.answer,
    stop_reason: result.stopReason,
    usage: result.usage,
    refused_calls: result.refusedCalls,
    ...(result.error ? { error: result.error } : {}),
  };
}

/** The result line of a job whose run could not start or threw. */
export function failedLine(id: string, err: unknown): JobResultLine {
  return {
    id,
    run_id: null,
    status: "failed",
    answer: "",
    stop_reason: "error",
    usage: null,
    refused_calls: 0,
    error: serializeError(err),
  };
}
