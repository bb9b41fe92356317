import type { ToolResult, ToolStop } from "../spec/tool.ts";
import { TOOL_POLICY } from "../tools/tool-result.ts";

/** The eleven layers of SPEC §5, outermost first. `extraLayers` are placed after one of these names. */
export const LAYER_NAMES = [
  "exception-recovery",
  "logger",
  "audit",
  "loop-detection",
  "failure-limits",
  "approval",
  "redaction",
  "context-enrichment",
  "timeout",
  "rate-limit",
  "circuit-breaker",
] as const;

export type LayerName = (typeof LAYER_NAMES)[number];

/**
 * The name each stopping layer puts in `stop.by` on its results (and in `tool_result.stopped_by`
 * and the audit log's `refused_by`).
 */
export const STOPPED_BY = {
  exception: "exception",
  loop: "loop_detection",
  failures: "failure_limits",
  approval: "approval",
  timeout: "timeout",
  rateLimit: "rate_limit",
  circuitBreaker: "circuit_breaker",
  audit: "audit",
  toolPolicy: TOOL_POLICY,
} as const;

/** The stop each built-in layer puts on a result it stops: its typed reason and its `STOPPED_BY` name. */
export const STOPS = {
  exception: { reason: "exception", by: STOPPED_BY.exception },
  loop: { reason: "loop", by: STOPPED_BY.loop },
  failures: { reason: "failures", by: STOPPED_BY.failures },
  approval: { reason: "approval", by: STOPPED_BY.approval },
  policy: { reason: "policy", by: STOPPED_BY.approval },
  readonly: { reason: "readonly", by: STOPPED_BY.approval },
  timeout: { reason: "timeout", by: STOPPED_BY.timeout },
  rateLimit: { reason: "rate_limit", by: STOPPED_BY.rateLimit },
  breaker: { reason: "breaker", by: STOPPED_BY.circuitBreaker },
  audit: { reason: "audit", by: STOPPED_BY.audit },
  /**
   * A call its run or turn cancelled (the run stopped, or a sibling failed hard): one that failed
   * after its signal aborted, or one still running a grace period later (abandoned).
   */
  cancelled: { reason: "cancelled", by: "run" },
} as const satisfies Record<string, ToolStop>;

/** Stops after which the tool did run (or started to): the audit log records the call as executed. */
export function ranDespiteStop(stop: ToolStop): boolean {
  return stop.reason === "timeout" || stop.reason === "exception" || stop.reason === "cancelled";
}

/**
 * Whether a result counts as a tool failure for failure limits and the circuit breaker: the tool
 * itself failed, threw or timed out, or refused under its own rules (`tool_policy`, so a model
 * that keeps hitting a shell deny rule is still stopped). Refusals by governance layers
 * (approval, policy, rate limit, loop detection, an open breaker) do not count.
 */
export function isToolFailure(result: ToolResult): boolean {
  if (result.ok) return false;
  if (result.stop === undefined) return true;
  // An abandoned call ran, but failed because the run (or its turn) was stopped, not by itself.
  if (result.stop.reason === "cancelled") return false;
  return ranDespiteStop(result.stop) || result.stop.reason === "tool_policy";
}

/**
 * `stopped_by` values that are not refusals: the call ran and failed, the model sent a bad (or
 * cut-off) call, or the run stopped while it ran (`run`, an abandoned call).
 */
const NOT_REFUSALS = new Set<string>([
  STOPPED_BY.timeout,
  STOPPED_BY.exception,
  "registry",
  "arguments",
  "run",
]);

/**
 * Whether a tool result's `stopped_by` marks a refused call (SPEC §12: denied, unapproved,
 * refused by a tool's rules or the SSRF guard, rate-limited, loop-detected, breaker open): what
 * `run_end.refused_calls` counts and `--fail-on-refusal` fails on. A stop reason added later
 * counts as a refusal unless listed here as something else.
 */
export function isRefusal(stoppedBy: string | undefined): boolean {
  return stoppedBy !== undefined && !NOT_REFUSALS.has(stoppedBy);
}
