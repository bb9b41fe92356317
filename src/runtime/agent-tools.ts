import type { UsageMeter } from "../agent/usage-meter.ts";
import type { AgentConfig } from "../config/schema.ts";
import { CapabilityUnavailableError, UsageError } from "../spec/errors.ts";
import type { ToolSchema } from "../spec/model.ts";
import type { Tool } from "../spec/tool.ts";
import { createBuiltinTool, toolSchemaOf } from "../tools/registry.ts";
import type { AgentExecution } from "./agent-execution.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";
import { subAgentTool } from "./sub-agent-tool.ts";

/** An agent's tools by the name the model sees, and their schemas in declaration order. */
export interface AgentTools {
  byName: Map<string, Tool>;
  schemas: ToolSchema[];
}

/**
 * Builds the tools an agent lists: built-ins from `[tools.*]`, `agent:NAME` sub-agents (offered
 * as `agent_NAME`), `kind = "agent"` tools, and tools a library host registered in code.
 */
export function buildAgentTools(
  rt: RuntimeContext,
  scope: RunScope,
  exec: AgentExecution,
  agent: AgentConfig,
  meter: UsageMeter,
): AgentTools {
  const byName = new Map<string, Tool>();
  const add = (tool: Tool) => byName.set(tool.name, tool);
  for (const entry of agent.tools ?? []) {
    if (entry.startsWith("agent:")) {
      const child = entry.slice("agent:".length);
      add(subAgentTool(rt, scope, exec, meter, { child, toolName: `agent_${child}` }));
      continue;
    }
    const custom = rt.customTools.get(entry);
    const config = rt.loaded.config.tools?.[entry];
    if (custom && !config) {
      add(custom);
      continue;
    }
    if (!config) throw new UsageError(`agent "${exec.agent}" lists unknown tool "${entry}"`);
    switch (config.kind) {
      case "agent":
        add(
          subAgentTool(rt, scope, exec, meter, {
            child: config.agent,
            toolName: entry,
            description: config.description,
          }),
        );
        break;
      case "delegate":
      case "mcp":
        throw new CapabilityUnavailableError(
          `tool "${entry}" of kind "${config.kind}" is not available in this build`,
          {
            tool: entry,
          },
        );
      default: {
        const tool = createBuiltinTool(entry, config, {
          env: rt.env,
          onSecrets: (values) => {
            for (const value of values) rt.secrets.add(value);
            scope.redactor.addSecrets(values);
          },
        });
        if (tool) add(tool);
      }
    }
  }
  return { byName, schemas: [...byName.values()].map(toolSchemaOf) };
}
