import type { SerializedError } from "./errors.ts";

/** Version of the event schema; bumped on any incompatible change. */
export const EVENT_VERSION = 1;

/** Totals reported in `usage` and `run_end` events. */
export interface UsageTotals {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export type RunStatus = "ok" | "failed" | "stopped" | "awaiting_approval" | "interrupted";

export type StopReason =
  | "answer"
  | "max_turns"
  | "timeout"
  | "budget"
  | "policy"
  | "loop"
  | "approval_denied"
  /** A tool's configured sandbox could not be enforced on this host; the call was refused (exit 3). */
  | "sandbox"
  /** The audit log could not be written; the call that found it was refused and the run failed (exit 1). */
  | "audit"
  | "awaiting_approval"
  | "provider_error"
  | "tool_error"
  | "output_schema"
  | "interrupted"
  | "cancelled"
  | "error";

/**
 * The body of each run event, without the envelope. The `switch (event.type)` over this union is
 * exhaustive; ndjson output and the library's async iterable carry exactly these shapes.
 */
export type RunEventInput =
  | {
      type: "run_start";
      model: string;
      prompt: string;
      session?: string;
      /** The run's budget, when it has one (for run reports). */
      budget?: { usd?: number; tokens?: number };
    }
  | { type: "text_delta"; text: string }
  | { type: "message"; role: "assistant"; content: string }
  | { type: "tool_call"; id: string; name: string; args: unknown }
  | {
      type: "tool_result";
      id: string;
      name: string;
      ok: boolean;
      output?: string;
      error?: string;
      duration_ms: number;
      stopped_by?: string;
    }
  | {
      type: "approval";
      approval_id: string;
      state: "asked" | "granted" | "denied" | "deferred";
      tool: string;
      args?: unknown;
      /** On `asked`: the policy rule that asked, e.g. `policy.approval.tools includes "sh"`. */
      rule?: string;
      by?: string;
      reason?: string;
    }
  | {
      type: "subagent_start";
      child_run_id: string;
      child_agent: string;
      task: string;
      /** The tool call that started the sub-agent (absent for flow steps). */
      call_id?: string;
    }
  | {
      type: "subagent_end";
      child_run_id: string;
      child_agent: string;
      status: RunStatus;
      stop_reason: StopReason;
    }
  | {
      type: "usage";
      input_tokens: number;
      output_tokens: number;
      cost_usd: number;
      turn: number;
      /** The model that answered (`provider/model`). */
      model?: string;
      /** From the request to the end of the response, retries included (the turn began `ts - duration_ms`). */
      duration_ms?: number;
      /** From the request to the first streamed text or tool call. */
      ttft_ms?: number;
    }
  | { type: "warning"; message: string; data?: Record<string, unknown> }
  | { type: "error"; error: SerializedError }
  | {
      type: "run_end";
      status: RunStatus;
      stop_reason: StopReason;
      answer: string;
      usage: UsageTotals;
      cost_usd: number;
      turns: number;
      duration_ms: number;
      /** Calls refused in this run and its sub-agents (denied, unapproved, refused by policy, rate-limited…). */
      refused_calls: number;
      error?: SerializedError;
    };

/** The envelope every event carries (SPEC §2). */
export interface EventEnvelope {
  v: typeof EVENT_VERSION;
  ts: string;
  run_id: string;
  agent: string;
}

export type RunEvent = RunEventInput & EventEnvelope;
export type RunEventType = RunEvent["type"];
export type RunEndEvent = Extract<RunEvent, { type: "run_end" }>;
