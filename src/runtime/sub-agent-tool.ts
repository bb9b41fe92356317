import { z } from "zod";
import type { UsageMeter } from "../agent/usage-meter.ts";
import type { Tool, ToolResult } from "../spec/tool.ts";
import type { AgentExecution } from "./agent-execution.ts";
import { executeAgent } from "./agent-execution.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";

const DEFAULT_MAX_DEPTH = 3;

const taskSchema = z.object({
  task: z.string().min(1).describe("What the sub-agent should do, with all context it needs"),
});

/**
 * `agent:NAME` as a tool: runs the declared agent on `{ task }` with its own model, tools and
 * policy, under the parent's remaining budget, and returns its answer (or partial answer and
 * stop reason). Its usage counts toward the parent's.
 */
export function subAgentTool(
  rt: RuntimeContext,
  scope: RunScope,
  parent: AgentExecution,
  parentMeter: UsageMeter,
  spec: { child: string; toolName: string; description?: string },
): Tool<{ task: string }> {
  const childConfig = rt.loaded.config.agents?.[spec.child];
  return {
    name: spec.toolName,
    description:
      spec.description ??
      `Delegate a task to the "${spec.child}" agent${childConfig?.description ? `: ${childConfig.description}` : ""}. It works on its own and returns its final answer.`,
    parameters: taskSchema,
    readOnly: false,
    async execute({ task }, ctx): Promise<ToolResult> {
      const maxDepth = rt.loaded.config.limits?.max_depth ?? DEFAULT_MAX_DEPTH;
      if (parent.depth + 1 > maxDepth) {
        return {
          ok: false,
          output: "",
          error: `sub-agent depth limit (${maxDepth}) reached; do the task yourself`,
        };
      }
      scope.children.started += 1;
      const runId = `${scope.runId}.${scope.children.started}`;
      const emit = scope.emitFor(parent.runId, parent.agent);
      emit({ type: "subagent_start", child_run_id: runId, child_agent: spec.child, task });
      const outcome = await executeAgent(rt, scope, {
        agent: spec.child,
        runId,
        messages: [{ role: "user", content: task }],
        depth: parent.depth + 1,
        signal: ctx.signal,
        budgetCap: parentMeter.remaining(),
      });
      parentMeter.add(
        { inputTokens: outcome.meter.inputTokens, outputTokens: outcome.meter.outputTokens },
        outcome.meter.costUsd,
      );
      emit({
        type: "subagent_end",
        child_run_id: runId,
        child_agent: spec.child,
        status: outcome.status,
        stop_reason: outcome.stopReason,
      });
      const meta = {
        child_run_id: runId,
        status: outcome.status,
        stop_reason: outcome.stopReason,
        turns: outcome.turns,
      };
      if (outcome.status === "ok") return { ok: true, output: outcome.answer, meta };
      const partial = outcome.answer ? `\npartial answer:\n${outcome.answer}` : "";
      return {
        ok: false,
        output: partial.trimStart(),
        error: `sub-agent "${spec.child}" ${outcome.status} (${outcome.stopReason})${outcome.error ? `: ${outcome.error.message}` : ""}`,
        meta,
      };
    },
  };
}
