import type { AgentConfig } from "../config/schema.ts";
import { MCP_ENTRY_PREFIX } from "../mcp/entries.ts";
import { UsageError } from "../spec/errors.ts";
import type { ToolSchema } from "../spec/model.ts";
import type { Tool } from "../spec/tool.ts";
import { createBuiltinTool, toolSchemaOf } from "../tools/registry.ts";
import type { AgentExecution } from "./agent-execution.ts";
import type { ChildParent } from "./child-runs.ts";
import { delegateTool } from "./delegate-tool.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";
import { subAgentTool } from "./sub-agent-tool.ts";

/** An agent's tools by the name the model sees, and their schemas in declaration order. */
export interface AgentTools {
  byName: Map<string, Tool>;
  schemas: ToolSchema[];
}

/**
 * Builds the tools an agent lists: built-ins from `[tools.*]`, `agent:NAME` sub-agents (offered
 * as `agent_NAME`), `kind = "agent"` tools, tools a library host registered in code, and the
 * MCP tools already started for the agent (`mcp:<server>` entries).
 */
export function buildAgentTools(
  rt: RuntimeContext,
  scope: RunScope,
  exec: AgentExecution,
  agent: AgentConfig,
  parent: ChildParent,
  model: string,
  mcpTools: readonly Tool[] = [],
): AgentTools {
  const byName = new Map<string, Tool>();
  const add = (tool: Tool) => byName.set(tool.name, tool);
  const configured = rt.loaded.config.tools ?? {};
  const entries = (agent.tools ?? []).map((entry) => ({
    entry,
    visible: entry.startsWith("agent:") ? `agent_${entry.slice("agent:".length)}` : entry,
    isDelegate: configured[entry]?.kind === "delegate",
  }));
  for (const { entry, visible } of entries) {
    if (entry.startsWith(MCP_ENTRY_PREFIX)) continue;
    if (entry.startsWith("agent:")) {
      add(subAgentTool(rt, scope, parent, { child: entry.slice("agent:".length), toolName: visible }));
      continue;
    }
    const custom = rt.customTools.get(entry);
    const config = configured[entry];
    if (custom && !config) {
      add(custom);
      continue;
    }
    if (!config) throw new UsageError(`agent "${exec.agent}" lists unknown tool "${entry}"`);
    switch (config.kind) {
      case "agent":
        add(
          subAgentTool(rt, scope, parent, {
            child: config.agent,
            toolName: entry,
            ...(config.description ? { description: config.description } : {}),
          }),
        );
        break;
      case "delegate":
        add(
          delegateTool(
            rt,
            scope,
            { ...parent, config: agent, model, entries },
            {
              name: entry,
              ...(config.description ? { description: config.description } : {}),
              ...(config.tools ? { allowed: config.tools } : {}),
              ...(config.max_turns ? { maxTurns: config.max_turns } : {}),
              ...(config.timeout ? { timeoutMs: config.timeout } : {}),
            },
          ) as Tool,
        );
        break;
      default: {
        const cached = rt.builtinTools.get(entry);
        const tool =
          cached ??
          createBuiltinTool(entry, config, {
            env: rt.env,
            onSecrets: (values) => {
              for (const value of values) rt.secrets.add(value);
              scope.redactor.addSecrets(values);
            },
          });
        if (tool && !cached) rt.builtinTools.set(entry, tool);
        if (tool) add(tool);
      }
    }
  }
  for (const tool of mcpTools) add(tool);
  return { byName, schemas: [...byName.values()].map((tool) => schemaOf(rt, tool)) };
}

function schemaOf(rt: RuntimeContext, tool: Tool): ToolSchema {
  let schema = rt.toolSchemas.get(tool);
  if (!schema) {
    schema = toolSchemaOf(tool);
    rt.toolSchemas.set(tool, schema);
  }
  return schema;
}
