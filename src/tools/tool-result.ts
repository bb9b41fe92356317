import type { ToolResult } from "../spec/tool.ts";

/**
 * A refused or failed call, phrased for the model. `output` may carry what the tool produced before
 * failing (a command's output before a non-zero exit) so the model can act on it.
 */
export function toolError(error: string, meta?: Record<string, unknown>, output = ""): ToolResult {
  return meta ? { ok: false, output, error, meta } : { ok: false, output, error };
}

/**
 * The `stop.by` of a call a tool refused under its own rules (shell allow/deny, http
 * allow_hosts and SSRF guard, file root and read-only): a refusal, like a governance layer's,
 * counted in `run_end.refused_calls` and audited as `refused`, not as an executed call.
 */
export const TOOL_POLICY = "tool_policy";

/** A call the tool refused under its own rules; nothing was executed. */
export function toolRefusal(error: string, meta?: Record<string, unknown>): ToolResult {
  const stop = { reason: "tool_policy", by: TOOL_POLICY } as const;
  return meta ? { ok: false, output: "", error, stop, meta } : { ok: false, output: "", error, stop };
}

/** Replaces every secret value in `text` with `[secret]`, longest first so overlaps cannot leak a suffix. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) result = result.split(secret).join("[secret]");
  }
  return result;
}

/** The `stop.by` of a call refused because its tool's sandbox cannot be enforced (docs/SANDBOX.md). */
export const SANDBOX = "sandbox";

/**
 * A call refused because the tool's configured sandbox cannot be enforced on this host (no
 * bubblewrap, namespaces refused): nothing ran, and the run stops (`stop_reason: "sandbox"`,
 * exit 3) rather than going on with a tool that cannot run as configured.
 */
export function sandboxRefusal(tool: string, reason: string, meta?: Record<string, unknown>): ToolResult {
  const error = `sandbox: the sandbox of tool "${tool}" cannot be enforced on this host, so the command was not run: ${reason}`;
  const stop = { reason: "sandbox", by: SANDBOX } as const;
  return { ok: false, output: "", error, stop, halt: "sandbox", ...(meta ? { meta } : {}) };
}
