import type { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { ToolResult } from "../spec/tool.ts";
import { toolSchemaOf } from "../tools/registry.ts";
import {
  type AgentToolSpec,
  type agentTaskParameters,
  agentToolDefinition,
} from "../tools/sub-agent/agent-definition.ts";
import type { ChildTool } from "./agent-tools.ts";
import { childFailureResult, childToolResult } from "./child-runs.ts";

/**
 * `agent:NAME` as a tool: runs the declared agent on `{ task }` with its own model, tools,
 * policy and timeout, under the parent's remaining budget, and returns its answer (or partial
 * answer and stop reason). A hard failure cancels the other calls of the same turn.
 */
export function subAgentTool(config: Config, spec: AgentToolSpec): ChildTool {
  const definition = agentToolDefinition(config, spec);
  return {
    schema: toolSchemaOf(definition),
    bind: (children) => ({
      ...definition,
      async execute(args, ctx): Promise<ToolResult> {
        const { task } = args as z.infer<ReturnType<typeof agentTaskParameters>>;
        try {
          const budgetCap = children.remaining();
          const outcome = await children.run(
            { agent: spec.child, task, callId: ctx.callId, ...(budgetCap ? { budgetCap } : {}) },
            ctx.signal,
          );
          return childToolResult(spec.child, outcome, ctx.signal);
        } catch (err) {
          return childFailureResult(spec.child, err, ctx.signal);
        }
      },
    }),
  };
}
