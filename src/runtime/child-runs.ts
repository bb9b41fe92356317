import type { Budget, UsageMeter } from "../agent/usage-meter.ts";
import type { Pipeline } from "../middleware/compose.ts";
import type { Clock } from "../spec/clock.ts";
import type { RunEventInput } from "../spec/events.ts";
import { stopDetailOf } from "../spec/run-stop.ts";
import type { ToolResult } from "../spec/tool.ts";
import type { AgentExecution, AgentOutcome } from "./agent-execution.ts";
import { recordPolicyStop } from "./policy-stop.ts";
import type { InlineAgent } from "./resolve-agent.ts";
import { recordRunEnd, recordRunStart } from "./run-boundaries.ts";
import { subAgentRunId } from "./run-id.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";

/** Default bounds of SPEC §7 when `[limits]` leaves them unset. */
export const DEFAULT_LIMITS = { maxDepth: 3, maxFanout: 8, maxConcurrency: 16 } as const;

/** Who starts a child: its run id and agent (for events), depth, meter and live child count. */
export interface ChildParent {
  runId: string;
  agent: string;
  depth: number;
  meter?: UsageMeter;
  activeChildren: { count: number };
  /**
   * Whether the parent holds a slot of the run's concurrency bound (it is a sub-agent itself).
   * It lends the slot while it has children and takes it back after the last one ends.
   */
  holdsSlot?: boolean;
}

/** One sub-agent to run: a declared agent, or an ephemeral one (`inline`) built by `delegate`. */
export interface ChildSpec {
  agent: string;
  task: string;
  /** Its calls go through `inline.pipeline`, its parent's (see `ChildRunner.pipeline`). */
  inline?: InlineAgent;
  budgetCap?: Budget;
  /** The tool call starting the child, so run records and traces hang it under that call. */
  callId?: string;
}

/** Why a child could not start (depth or fan-out limit): a message for the model. */
export class ChildRefused extends Error {}

/** A finished child, with the run id it ran under. */
export type ChildOutcome = AgentOutcome & { runId: string };

/**
 * What a tool that starts sub-agents gets from the run calling it: a way to start a child of
 * that run (throws `ChildRefused` past a limit), the parent's remaining budget, and the parent.
 */
export interface ChildRunner {
  run(spec: ChildSpec, signal: AbortSignal): Promise<ChildOutcome>;
  /** The parent's remaining budget: the cap of a child. */
  remaining(): Budget | undefined;
  /** The parent agent's name, e.g. to name `delegate`'s ephemeral children. */
  readonly agent: string;
  /** The model the parent runs on in this run (`--model` included). */
  readonly model: string;
  /** The runtime's clock, for a child tool's own timers (e.g. `delegate`'s timeout). */
  readonly clock: Clock;
  /**
   * The parent agent's pipeline: `delegate`'s children, carved from the parent with its policy,
   * run their calls through it, so they share its rate-limit buckets and breakers.
   */
  readonly pipeline: Pipeline;
}

/** Executes one agent of a run; injected so this module does not depend on the executor. */
export type ExecuteAgent = (
  rt: RuntimeContext,
  scope: RunScope,
  exec: AgentExecution,
) => Promise<AgentOutcome>;

/**
 * Runs a sub-agent with `execute` under the run's bounds (depth, fan-out per parent, total
 * concurrency: sub-agents running at once; a sub-agent waiting for its own children lends its slot
 * to them), announcing it with `subagent_start`/`subagent_end` on the parent's run and
 * charging its usage to the parent's meter. The child's own `timeout` is applied by `execute`.
 * The child is a run of its own in the audit log: `run_start` (with `parent_run_id`) once it has
 * a slot, `run_end` when it ends however it ends, so its chain is complete and let go. Its id is
 * `<top-level run>.<n>`, numbered on from the sub-agent runs of earlier executions of a resumed
 * run (`RunPlan.subRuns`), so no id, and no chain, is used twice.
 */
export async function runChild(
  rt: RuntimeContext,
  scope: RunScope,
  parent: ChildParent,
  spec: ChildSpec,
  signal: AbortSignal,
  execute: ExecuteAgent,
): Promise<ChildOutcome> {
  const limits = rt.loaded.config.limits;
  const maxDepth = limits?.max_depth ?? DEFAULT_LIMITS.maxDepth;
  const maxFanout = limits?.max_fanout ?? DEFAULT_LIMITS.maxFanout;
  if (parent.depth + 1 > maxDepth) {
    throw new ChildRefused(`sub-agent depth limit (${maxDepth}) reached; do this task yourself`);
  }
  if (parent.activeChildren.count >= maxFanout) {
    throw new ChildRefused(
      `fan-out limit (${maxFanout} sub-agents at once) reached; wait for the others to finish`,
    );
  }
  if (parent.activeChildren.count === 0 && parent.holdsSlot) scope.concurrency.lend();
  parent.activeChildren.count += 1;
  scope.children.started += 1;
  const runId = subAgentRunId(scope.runId, scope.children.started);
  const emit: (event: RunEventInput) => void = scope.emitFor(parent.runId, parent.agent);
  emit({
    type: "subagent_start",
    child_run_id: runId,
    child_agent: spec.agent,
    task: spec.task,
    ...(spec.callId ? { call_id: spec.callId } : {}),
  });
  try {
    const outcome = await scope.concurrency.run(async () => {
      recordRunStart(rt.audit, {
        runId,
        agent: spec.agent,
        prompt: scope.redactor.redact(spec.task),
        parentRunId: parent.runId,
      });
      let ended: AgentOutcome | undefined;
      try {
        ended = await execute(rt, scope, {
          agent: spec.agent,
          runId,
          messages: [{ role: "user", content: spec.task }],
          depth: parent.depth + 1,
          signal,
          ...(spec.inline ? { inline: spec.inline } : {}),
          ...(spec.budgetCap ? { budgetCap: spec.budgetCap } : {}),
        });
        recordPolicyStop(rt.audit, runId, spec.agent, ended);
        return ended;
      } finally {
        recordRunEnd(rt.audit, {
          runId,
          agent: spec.agent,
          status: ended?.status ?? "failed",
          stopReason: ended?.stopReason ?? "error",
          turns: ended?.turns ?? 0,
          usage: ended?.meter.totals() ?? { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
        });
      }
    }, signal);
    parent.meter?.add(
      { inputTokens: outcome.meter.inputTokens, outputTokens: outcome.meter.outputTokens },
      outcome.meter.costUsd,
    );
    emit({
      type: "subagent_end",
      child_run_id: runId,
      child_agent: spec.agent,
      status: outcome.status,
      stop_reason: outcome.stopReason,
    });
    return { ...outcome, runId };
  } catch (err) {
    // Cancelled while it waited for a slot, or failed outside its loop: its start still gets an end.
    emit({
      type: "subagent_end",
      child_run_id: runId,
      child_agent: spec.agent,
      status: signal.aborted ? "stopped" : "failed",
      stop_reason: signal.aborted ? "cancelled" : "error",
    });
    throw err;
  } finally {
    parent.activeChildren.count -= 1;
    if (parent.activeChildren.count === 0 && parent.holdsSlot) await scope.concurrency.reclaim();
  }
}

/** Whether a child's failure is hard: its siblings in the same turn or flow are cancelled. */
export function isHardFailure(outcome: AgentOutcome): boolean {
  return (
    outcome.status === "failed" && (outcome.stopReason === "provider_error" || outcome.stopReason === "error")
  );
}

/**
 * What the parent model sees when starting a sub-agent threw `err`: a refusal by the run's bounds
 * (`ChildRefused`) as its message, a sub-agent cancelled before it could start (it waited for a
 * concurrency slot when its run stopped or a sibling failed hard) as such; any other error is
 * thrown on.
 */
export function childFailureResult(agent: string, err: unknown, signal: AbortSignal): ToolResult {
  if (err instanceof ChildRefused) return { ok: false, output: "", error: err.message };
  if (!signal.aborted) throw err;
  const detail = stopDetailOf(signal);
  const because = detail ? ` because ${detail}` : "";
  return { ok: false, output: "", error: `sub-agent "${agent}" cancelled before it started${because}` };
}

/** What the parent model sees of a child's outcome: its answer, or its partial answer and why it stopped. */
export function childToolResult(agent: string, outcome: ChildOutcome, signal: AbortSignal): ToolResult {
  const meta = {
    child_run_id: outcome.runId,
    status: outcome.status,
    stop_reason: outcome.stopReason,
    turns: outcome.turns,
  };
  if (outcome.status === "ok") return { ok: true, output: outcome.answer, meta };
  const partial = outcome.answer ? `partial answer:\n${outcome.answer}` : "";
  const detail = stopDetailOf(signal);
  const why =
    outcome.stopReason === "cancelled" && detail
      ? `cancelled because ${detail}`
      : `${outcome.status} (${outcome.stopReason})${outcome.error ? `: ${outcome.error.message}` : ""}`;
  return {
    ok: false,
    output: partial,
    error: `sub-agent "${agent}" ${why}`,
    meta,
    ...(isHardFailure(outcome) ? { failFast: true } : {}),
  };
}
