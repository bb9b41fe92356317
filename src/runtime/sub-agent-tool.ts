import type { z } from "zod";
import { namedEntry } from "../config/named-entry.ts";
import type { Config } from "../config/schema.ts";
import { lazySchema } from "../lazy-zod/lazy-schema.ts";
import type { ToolResult } from "../spec/tool.ts";
import { toolSchemaOf } from "../tools/registry.ts";
import type { ChildTool } from "./agent-tools.ts";
import { ChildRefused, childToolResult } from "./child-runs.ts";

/** Built on first use (`lazySchema`): most agents have no `agent:` tool (start-up, docs/benchmarks/turns.md). */
const taskSchema = lazySchema((z) =>
  z.object({
    task: z.string().min(1).describe("What the sub-agent should do, with all the context it needs"),
  }),
);

/**
 * `agent:NAME` as a tool: runs the declared agent on `{ task }` with its own model, tools,
 * policy and timeout, under the parent's remaining budget, and returns its answer (or partial
 * answer and stop reason). A hard failure cancels the other calls of the same turn.
 */
export function subAgentTool(
  config: Config,
  spec: { child: string; toolName: string; description?: string },
): ChildTool {
  const childConfig = namedEntry(config.agents, spec.child);
  const definition = {
    name: spec.toolName,
    description:
      spec.description ??
      `Delegate a task to the "${spec.child}" agent${childConfig?.description ? `: ${childConfig.description}` : ""}. It works on its own and returns its final answer.`,
    parameters: taskSchema(),
    readOnly: false,
  };
  return {
    schema: toolSchemaOf(definition),
    bind: (children) => ({
      ...definition,
      async execute(args, ctx): Promise<ToolResult> {
        const { task } = args as z.infer<ReturnType<typeof taskSchema>>;
        try {
          const budgetCap = children.remaining();
          const outcome = await children.run(
            { agent: spec.child, task, callId: ctx.callId, ...(budgetCap ? { budgetCap } : {}) },
            ctx.signal,
          );
          return childToolResult(spec.child, outcome, ctx.signal);
        } catch (err) {
          if (err instanceof ChildRefused) return { ok: false, output: "", error: err.message };
          throw err;
        }
      },
    }),
  };
}
