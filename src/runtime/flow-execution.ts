import { UsageMeter } from "../agent/usage-meter.ts";
import { namedEntry } from "../config/named-entry.ts";
import type { FlowStep } from "../config/schema.ts";
import { UsageError } from "../spec/errors.ts";
import { type AgentOutcome, executeAgent } from "./agent-execution.ts";
import { type ChildParent, ChildRefused, runChild } from "./child-runs.ts";
import { runControl, type Step, type StepResult } from "./control-flow.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";

/**
 * Runs a `[flows.NAME]` ReAcTree as a top-level run: agents are leaves run as sub-agents,
 * flows and inline `{ sequence | parallel | fallback }` nodes are control nodes. The flow's answer
 * is its root node's answer; usage is the sum of its agents'.
 */
export async function executeFlow(
  rt: RuntimeContext,
  scope: RunScope,
  flowName: string,
  prompt: string,
  signal: AbortSignal,
): Promise<AgentOutcome> {
  const defaults = rt.loaded.config.defaults;
  const meter = new UsageMeter(scope.request.budget ?? defaults?.budget ?? {});
  const root: ChildParent = {
    runId: scope.runId,
    agent: flowName,
    depth: 0,
    meter,
    activeChildren: { count: 0 },
  };
  const step = stepFor(rt, scope, flowName, root, 0);
  const result = await step.run(prompt, signal);
  return {
    status: result.ok ? "ok" : result.status === "ok" ? "failed" : result.status,
    stopReason: result.ok ? "answer" : result.stopReason,
    answer: result.answer,
    turns: scope.children.started,
    pendingCalls: [],
    meter,
    model: `flow:${flowName}`,
    ...(result.error ? { error: result.error } : {}),
  };
}

function stepFor(
  rt: RuntimeContext,
  scope: RunScope,
  node: FlowStep,
  parent: ChildParent,
  depth: number,
): Step {
  const { agents, flows } = rt.loaded.config;
  if (typeof node === "string") {
    const flow = namedEntry(flows, node);
    if (flow) {
      const children = flow.steps.map((child) => stepFor(rt, scope, child, parent, depth + 1));
      return {
        name: node,
        run: (input, signal) =>
          runControl(flow.kind, node, children, input, signal, flow.vote ? { vote: flow.vote } : {}),
      };
    }
    if (!namedEntry(agents, node)) throw new UsageError(`flow step "${node}" is neither an agent nor a flow`);
    return {
      name: node,
      run: (input, signal) => runAgentStep(rt, scope, { ...parent, depth }, node, input, signal),
    };
  }
  const [kind, steps] = Object.entries(node)[0] as ["sequence" | "parallel" | "fallback", FlowStep[]];
  const children = steps.map((child) => stepFor(rt, scope, child, parent, depth + 1));
  return { name: kind, run: (input, signal) => runControl(kind, kind, children, input, signal) };
}

async function runAgentStep(
  rt: RuntimeContext,
  scope: RunScope,
  parent: ChildParent,
  agent: string,
  input: string,
  signal: AbortSignal,
): Promise<StepResult> {
  try {
    const budgetCap = parent.meter?.remaining();
    const outcome = await runChild(
      rt,
      scope,
      parent,
      { agent, task: input, ...(budgetCap ? { budgetCap } : {}) },
      signal,
      executeAgent,
    );
    return {
      name: agent,
      ok: outcome.status === "ok",
      answer: outcome.answer,
      status: outcome.status,
      stopReason: outcome.stopReason,
      ...(outcome.error ? { error: outcome.error } : {}),
    };
  } catch (err) {
    if (!(err instanceof ChildRefused)) throw err;
    return {
      name: agent,
      ok: false,
      answer: "",
      status: "failed",
      stopReason: "policy",
      error: { name: "LimitError", message: err.message, data: {} },
    };
  }
}
