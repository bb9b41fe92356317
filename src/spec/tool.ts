import type { ZodType } from "zod";
import type { DeferredCall } from "./approval.ts";
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
 * A tool's outcome. `output` is what the model sees on success; `error` on failure (a message the
 * model can act on). `stoppedBy` names the middleware layer that refused the call, if any.
 */
export interface ToolResult {
  ok: boolean;
  output: string;
  error?: string;
  stoppedBy?: string;
  /** Structured facts for events and the audit log (exit code, status, bytes, truncation). */
  meta?: Record<string, unknown>;
  /**
   * Set by a governance layer when the run must end after this turn (loop detected, failure
   * limits exceeded, approval deferred). The loop finishes the turn, then stops with this reason.
   */
  halt?: "loop" | "failures" | "awaiting_approval" | "approval_denied";
  /** With `halt: "awaiting_approval"`: the approval id and arguments the deferred run saves. */
  deferral?: DeferredCall;
  /**
   * A hard failure (a sub-agent whose provider failed): the other calls of the same turn are
   * cancelled through their AbortSignal and report themselves cancelled.
   */
  failFast?: boolean;
}

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
   * servers, whose schemas are JSON already and which validate their own input.
   */
  inputSchema?: JsonSchema;
  execute(args: Args, ctx: ToolContext): Promise<ToolResult>;
}
