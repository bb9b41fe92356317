import { z } from "zod";
import type { Tool, ToolResult } from "../spec/tool.ts";
import { type ChildParent, ChildRefused, childToolResult, runChild } from "./child-runs.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";

const taskSchema = z.object({
  task: z.string().min(1).describe("What the sub-agent should do, with all the context it needs"),
});

/**
 * `agent:NAME` as a tool: runs the declared agent on `{ task }` with its own model, tools and
 * policy, under the parent's remaining budget, and returns its answer (or partial answer and
 * stop reason). A hard failure cancels the other calls of the same turn.
 */
export function subAgentTool(
  rt: RuntimeContext,
  scope: RunScope,
  parent: ChildParent,
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
      try {
        const budgetCap = parent.meter?.remaining();
        const outcome = await runChild(
          rt,
          scope,
          parent,
          { agent: spec.child, task, ...(budgetCap ? { budgetCap } : {}) },
          ctx.signal,
        );
        return childToolResult(spec.child, outcome, ctx.signal);
      } catch (err) {
        if (err instanceof ChildRefused) return { ok: false, output: "", error: err.message };
        throw err;
      }
    },
  };
}
