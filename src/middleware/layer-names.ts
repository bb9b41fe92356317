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
 * The `stoppedBy` value each refusing layer puts on its results (and in `tool_result.stopped_by`
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
} as const;

/**
 * Whether a result counts as a tool failure for failure limits and the circuit breaker: the tool
 * itself failed, threw or timed out. Refusals by governance layers (approval, policy, rate limit,
 * loop detection, an open breaker) do not count.
 */
export function isToolFailure(result: { ok: boolean; stoppedBy?: string }): boolean {
  if (result.ok) return false;
  return (
    result.stoppedBy === undefined ||
    result.stoppedBy === STOPPED_BY.timeout ||
    result.stoppedBy === STOPPED_BY.exception
  );
}
