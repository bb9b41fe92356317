import type { Budget } from "../agent/usage-meter.ts";
import type { ApproveMode } from "../config/schema.ts";
import type { SerializedError } from "../spec/errors.ts";
import type { RunEvent, RunStatus, StopReason, UsageTotals } from "../spec/events.ts";
import type { ExitCodeValue } from "../spec/exit-codes.ts";

/** One run as a host asks for it: the CLI's flags, or a library call. */
export interface RunRequest {
  /** Agent or flow name; `[defaults].agent` when omitted. */
  target?: string;
  /**
   * The run id (letters, digits, `.`, `_`, `-`; at most 128), e.g. a client's AG-UI `runId`;
   * a fresh one when omitted. Refused when a deferred run already has it, and when it ends in
   * `.<digits>`, the form of sub-agent run ids (`<run>.<n>`).
   */
  runId?: string;
  prompt: string;
  vars?: Record<string, string>;
  /** `provider/model`, replacing the agent's model. */
  model?: string;
  maxTurns?: number;
  timeoutMs?: number;
  budget?: Budget;
  /** Continue (or start) a saved conversation. */
  session?: string;
  /** Write no state: no session, no deferred run. */
  ephemeral?: boolean;
  recordFile?: string;
  replayFile?: string;
  approve?: ApproveMode;
  /** JSON Schema file the final answer must satisfy. */
  outputSchema?: string;
  /**
   * Replaces the top-level agent's instructions for this run (`--system-prompt`); sub-agents keep
   * theirs. `{{vars}}` are filled in as in configured instructions. Not for flows.
   */
  instructions?: string;
  /** Appended to the top-level agent's instructions after a blank line (`--append-system-prompt`). */
  appendInstructions?: string;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/**
 * How a run ended, with the exit code the CLI uses. Its `answer` and `error` are redacted like the
 * `run_end` event (configured secrets and detected values are placeholders): the result leaves
 * the runtime (batch and `submit --wait` lines, queue results, `mcp serve` answers, `resume`'s
 * stdout, library hosts).
 */
export interface RunResult {
  runId: string;
  agent: string;
  status: RunStatus;
  stopReason: StopReason;
  answer: string;
  usage: UsageTotals;
  turns: number;
  durationMs: number;
  /** Calls refused in the run, its sub-agents included (`run_end.refused_calls`); 0 when resuming a finished run. */
  refusedCalls: number;
  exitCode: ExitCodeValue;
  error?: SerializedError;
}
