import type { Approver, RecordedDecisions } from "./approval.ts";
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

/** Hides secrets and PII in text and JSON values, and restores placeholders the model copied back. */
export interface TextRedactor {
  redact(text: string): string;
  redactValue<T>(value: T): T;
  restore<T>(value: T): T;
}

/**
 * What each middleware layer can see and do: the values of one run of one agent. A pipeline is
 * built once per agent and shared by all its runs, so everything that differs between runs (run
 * id, approver, redactor, decisions of a resumed run, events, signal) travels here. One context
 * object per run, handed to each of its calls: layers keep per-run state by it (`RunScoped`), so a
 * new object is a new run even under the same run id.
 */
export interface PipelineContext {
  runId: string;
  agent: string;
  /** Cancelled when the run stops; layers may derive narrower signals (timeout). */
  signal: AbortSignal;
  /** Emit a run event (approval, warning); the run adds `v`, `ts`, `run_id`, `agent`. */
  emit(event: RunEventInput): void;
  /** Monotonic milliseconds; injectable so tests never sleep. */
  now(): number;
  /** Who decides on calls that need approval in this run (`--approve`). */
  approver: Approver;
  /** The run's redactor: events, logs, audit and the model see its placeholders. */
  redactor: TextRedactor;
  /** Decisions taken while a deferred run was stopped, each bound to one exact call (resume). */
  recorded?: RecordedDecisions;
}

export type Next = (call: PipelineCall) => Promise<ToolResult>;

/**
 * One governance layer: `(ctx, call, next) => result`. A layer that stops a call returns
 * `{ ok: false, output: "", error, stop: { reason, by } }` instead of calling `next`; it never
 * throws for policy reasons.
 */
export type Middleware = (ctx: PipelineContext, call: PipelineCall, next: Next) => Promise<ToolResult>;
