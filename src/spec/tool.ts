import type { ZodType } from "zod";
import type { ApprovalOutcome, DeferredCall } from "./approval.ts";
import type { JsonSchema } from "./model.ts";

/** What a tool needs from the run while it executes. */
export interface ToolContext {
  /** Aborted on timeout, sibling failure or Ctrl-C; tools must stop and kill their processes. */
  signal: AbortSignal;
  runId: string;
  agent: string;
  callId: string;
}

/**
 * Why a call was stopped: by a governance layer instead of running (`approval` — a human or
 * approver said no; `policy` — a deny pattern; `readonly`; `loop`; `rate_limit`; `breaker`;
 * `failures`), while running (`timeout`, `exception`), by the loop before it ran (`unknown_tool`,
 * `arguments`, `truncated` — the model's turn was cut off), by the tool under its own rules
 * before running anything (`tool_policy`: shell allow/deny, http allow_hosts and SSRF guard, file
 * root and read-only), because the tool's configured sandbox cannot be enforced on this host
 * (`sandbox`: nothing ran), by the run stopping while it ran (`cancelled`: abandoned after the
 * grace), or by a host's own layer (`custom`).
 */
export type StopCause =
  | "approval"
  | "policy"
  | "readonly"
  | "loop"
  | "rate_limit"
  | "breaker"
  | "failures"
  | "timeout"
  | "exception"
  | "unknown_tool"
  | "arguments"
  | "truncated"
  | "tool_policy"
  | "sandbox"
  /** The audit log cannot be written: no call runs unrecorded (the run stops). */
  | "audit"
  | "cancelled"
  | "custom";

/** Who stopped a call and why: `by` is the layer's name (`tool_result.stopped_by`, audit `refused_by`). */
export interface ToolStop {
  reason: StopCause;
  by: string;
}

/** Facts common to every outcome. */
interface ToolOutcomeBase {
  /** What the model sees (on failure, after the error). */
  output: string;
  /** Structured facts for events and the audit log (exit code, status, bytes, truncation). */
  meta?: Record<string, unknown>;
  /** How the approval layer decided on the call, for the audit log. */
  approval?: ApprovalOutcome;
}

/** The tool ran and succeeded. The failure fields are absent (typed so readers need not narrow first). */
export interface ToolSuccess extends ToolOutcomeBase {
  ok: true;
  error?: undefined;
  stop?: undefined;
  halt?: undefined;
  haltBy?: undefined;
  deferral?: undefined;
  failFast?: undefined;
}

/** The tool failed, or the call was stopped (`stop`). `error` is a message the model can act on. */
export interface ToolFailure extends ToolOutcomeBase {
  ok: false;
  error: string;
  /** Set when something other than the tool itself stopped the call. */
  stop?: ToolStop;
  /**
   * Set by a governance layer when the run must end after this turn (loop detected, failure
   * limits exceeded, approval deferred). The loop finishes the turn, then stops with this reason.
   */
  halt?: "loop" | "failures" | "awaiting_approval" | "approval_denied" | "sandbox" | "audit";
  /** With `halt: "awaiting_approval"`: the approval id and arguments the deferred run saves. */
  deferral?: DeferredCall;
  /** The layer that set `halt` on a call it did not stop itself (failure limits after a tool's own failure). */
  haltBy?: string;
  /**
   * A hard failure (a sub-agent whose provider failed): the other calls of the same turn are
   * cancelled through their AbortSignal and report themselves cancelled.
   */
  failFast?: boolean;
}

/** A tool's outcome: `ToolSuccess` or `ToolFailure`, discriminated by `ok`. */
export type ToolResult = ToolSuccess | ToolFailure;

/**
 * How `tool:argument-glob` policy patterns apply to one call. `any` (deny patterns): `match` when
 * some part of the call matches a glob, `unverifiable` when the tool cannot tell what the call runs.
 * `every` (exemptions): `match` only when every part matches some glob.
 */
export type ArgumentPatternVerdict =
  | { kind: "match"; glob: string }
  | { kind: "no_match" }
  | { kind: "unverifiable"; reason: string };

/**
 * A tool the model may call. `parameters` validates arguments after lenient JSON parsing;
 * `readOnly` tools run without approval in `readonly` mode.
 */
export interface Tool<Args = unknown> {
  name: string;
  description: string;
  parameters: ZodType<Args>;
  readOnly: boolean;
  /**
   * The JSON Schema shown to the model instead of one derived from `parameters`: tools from MCP
   * servers, whose schemas are JSON already and which validate their own input, and built-in tools
   * whose schema is written out to save deriving it at start-up (`parameters` still validates).
   */
  inputSchema?: JsonSchema;
  execute(args: Args, ctx: ToolContext): Promise<ToolResult>;
  /**
   * Matches argument globs against what the call does (a shell tool: the parsed argv of every
   * program the command line runs). Absent: globs match the call's primary argument text.
   * `args` are the raw arguments, not yet validated.
   */
  matchArguments?(
    args: Record<string, unknown>,
    globs: readonly string[],
    mode: "any" | "every",
  ): ArgumentPatternVerdict;
}
