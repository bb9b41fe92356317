import type { RunEventInput } from "./events.ts";
import type { Tool, ToolResult } from "./tool.ts";

/** A tool call on its way through the pipeline: arguments already parsed and validated. */
export interface PipelineCall {
  id: string;
  tool: Tool;
  name: string;
  args: Record<string, unknown>;
  /** The signal the tool receives; layers narrow it (timeout) by passing a new call to `next`. */
  signal: AbortSignal;
}

/** What each middleware layer can see and do. One context per tool call. */
export interface PipelineContext {
  runId: string;
  agent: string;
  /** Cancelled when the run stops; layers may derive narrower signals (timeout). */
  signal: AbortSignal;
  /** Emit a run event (approval, warning); the run adds `v`, `ts`, `run_id`, `agent`. */
  emit(event: RunEventInput): void;
  /** Monotonic milliseconds; injectable so tests never sleep. */
  now(): number;
}

export type Next = (call: PipelineCall) => Promise<ToolResult>;

/**
 * One governance layer: `(ctx, call, next) => result`. A layer that stops a call returns
 * `{ ok: false, error, stoppedBy }` instead of calling `next`; it never throws for policy reasons.
 */
export type Middleware = (ctx: PipelineContext, call: PipelineCall, next: Next) => Promise<ToolResult>;
