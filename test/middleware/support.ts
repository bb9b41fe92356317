import { z } from "zod";
import { createRedactor } from "../../src/redact/index.ts";
import type { Approver } from "../../src/spec/approval.ts";
import type { RunEventInput } from "../../src/spec/events.ts";
import type { Next, PipelineCall, PipelineContext } from "../../src/spec/middleware.ts";
import type { Tool, ToolContext, ToolResult } from "../../src/spec/tool.ts";
import { manualClock } from "../../src/testing/manual-clock.ts";

/** An approver that fails: tests that expect no approval request use it. */
export const unexpectedApprover: Approver = async () => {
  throw new Error("unexpected approval request");
};

/**
 * A context whose events are collected and whose clock is `clock.now`; per-run values (approver,
 * redactor, resumed decisions) default to a failing approver and a fresh redactor.
 */
export function fakeContext(
  clock = manualClock(),
  runId = "run1",
  run: Partial<Pick<PipelineContext, "approver" | "redactor" | "recorded">> = {},
): PipelineContext & { events: RunEventInput[] } {
  const events: RunEventInput[] = [];
  return {
    runId,
    agent: "ops",
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    now: () => clock.now(),
    approver: run.approver ?? unexpectedApprover,
    redactor: run.redactor ?? createRedactor(),
    ...(run.recorded ? { recorded: run.recorded } : {}),
    events,
  };
}

/** A tool answering with `impl` (default: ok, echo of the args). */
export function fakeTool(
  name = "sh",
  impl: (args: Record<string, unknown>, ctx: ToolContext) => Promise<ToolResult> = async (args) => ({
    ok: true,
    output: JSON.stringify(args),
  }),
  readOnly = false,
): Tool<Record<string, unknown>> & { calls: Record<string, unknown>[] } {
  const calls: Record<string, unknown>[] = [];
  return {
    name,
    description: name,
    parameters: z.record(z.string(), z.unknown()),
    readOnly,
    calls,
    execute: (args, ctx) => {
      calls.push(args);
      return impl(args, ctx);
    },
  };
}

let nextId = 0;

/** A call of `tool` with `args`; ids are unique unless given. */
export function callOf(
  tool: Tool<Record<string, unknown>>,
  args: Record<string, unknown> = {},
  id = `c${++nextId}`,
): PipelineCall {
  return { id, tool: tool as Tool, name: tool.name, args, signal: new AbortController().signal };
}

/** A `next` that runs the call's tool. */
export const runTool: Next = (call) =>
  call.tool.execute(call.args, { signal: call.signal, runId: "run1", agent: "ops", callId: call.id });

export { manualClock } from "../../src/testing/manual-clock.ts";
