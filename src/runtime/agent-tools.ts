import { namedEntry } from "../config/named-entry.ts";
import type { ToolConfig } from "../config/schema.ts";
import { AGENT_TOOL_PREFIX } from "../config/tool-patterns.ts";
import { MCP_ENTRY_PREFIX, mcpServerOfToolName } from "../mcp/entries.ts";
import { UsageError } from "../spec/errors.ts";
import type { ToolSchema } from "../spec/model.ts";
import type { Tool } from "../spec/tool.ts";
import { createBuiltinTool, toolSchemaOf } from "../tools/registry.ts";
import { toolEntries } from "../tools/sub-agent/delegate-definition.ts";
import type { AgentSettings } from "./agent-settings.ts";
import type { ChildRunner } from "./child-runs.ts";
import { delegateTool } from "./delegate-tool.ts";
import type { RuntimeContext } from "./runtime-context.ts";
import { subAgentTool } from "./sub-agent-tool.ts";

/**
 * A tool that starts sub-agents (`agent:NAME`, `kind = "agent"`, `delegate`): what the model sees
 * is fixed per agent, what it runs is bound to the calling run (`bind`), which supplies the
 * child runner of that run.
 */
export interface ChildTool {
  schema: ToolSchema;
  bind(children: ChildRunner): Tool;
}

/** An agent's tools, assembled once: fixed tools, child tools, and every schema in declaration order. */
export interface AgentTools {
  entries: readonly (Tool | ChildTool)[];
  schemas: ToolSchema[];
  /** The tools by name when the agent has no child tools (shared by every run), else undefined. */
  fixed: ReadonlyMap<string, Tool> | undefined;
}

/**
 * Assembles the tools an agent lists: built-ins from `[tools.*]` (built once per runtime and
 * shared between agents), `agent:NAME` sub-agents (offered as `agent_NAME`), `kind = "agent"`
 * tools, `delegate`, tools a library host registered in code, and the MCP tools already started
 * for the agent (`mcp:<server>` entries). The runtime's tool-name filter (`--allowed-tools`,
 * `--disallowed-tools`) removes entries here, for every agent, sub-agents and delegates included,
 * so it can only narrow. Secrets the built-ins resolve go to `onSecrets`.
 */
export async function assembleTools(
  rt: RuntimeContext,
  settings: AgentSettings,
  onSecrets: (values: string[]) => void,
  mcpTools: readonly Tool[] = [],
): Promise<AgentTools> {
  const configured = rt.loaded.config.tools ?? {};
  const keep = rt.toolFilter ?? (() => true);
  const entries = toolEntries(configured, settings.config.tools ?? []).filter(
    ({ entry, visible }) =>
      entry.startsWith(MCP_ENTRY_PREFIX) || keep(entryNames(configured, entry, visible)),
  );
  const tools: (Tool | ChildTool)[] = [];
  for (const { entry, visible } of entries) {
    if (entry.startsWith(MCP_ENTRY_PREFIX)) continue;
    if (entry.startsWith(AGENT_TOOL_PREFIX)) {
      tools.push(
        subAgentTool(rt.loaded.config, { child: entry.slice(AGENT_TOOL_PREFIX.length), toolName: visible }),
      );
      continue;
    }
    const custom = rt.customTools.get(entry);
    const config = namedEntry(configured, entry);
    if (custom && !config) {
      tools.push(custom);
      continue;
    }
    if (!config) throw new UsageError(`agent "${settings.name}" lists unknown tool "${entry}"`);
    switch (config.kind) {
      case "agent":
        tools.push(
          subAgentTool(rt.loaded.config, {
            child: config.agent,
            toolName: entry,
            ...(config.description ? { description: config.description } : {}),
          }),
        );
        break;
      case "delegate":
        tools.push(
          delegateTool(
            { settings, entries },
            {
              name: entry,
              ...(config.description ? { description: config.description } : {}),
              ...(config.tools ? { allowed: config.tools } : {}),
              ...(config.max_turns ? { maxTurns: config.max_turns } : {}),
              ...(config.timeout ? { timeoutMs: config.timeout } : {}),
            },
          ),
        );
        break;
      default: {
        let built = rt.builtinTools.get(entry);
        if (!built) {
          built = createBuiltinTool(entry, config, { env: rt.env, onSecrets, sandboxHost: rt.sandboxHost });
          rt.builtinTools.set(entry, built);
        }
        const tool = await built;
        if (tool) tools.push(tool);
      }
    }
  }
  tools.push(...mcpTools.filter((tool) => keep(mcpToolNames(tool.name))));
  const hasChildTools = tools.some(isChildTool);
  return {
    entries: tools,
    schemas: tools.map((tool) => (isChildTool(tool) ? tool.schema : schemaOf(rt, tool))),
    fixed: hasChildTools ? undefined : new Map(tools.map((tool) => [(tool as Tool).name, tool as Tool])),
  };
}

/**
 * The names a tool entry is matched by in `--allowed-tools`/`--disallowed-tools`: the entry, the
 * name the model sees, and for a `kind = "agent"` tool the agent it runs (`agent:NAME`), so
 * `--disallowed-tools agent:helper` also removes a tool that runs `helper` under another name.
 */
function entryNames(
  configured: Readonly<Record<string, ToolConfig>>,
  entry: string,
  visible: string,
): string[] {
  const config = namedEntry(configured, entry);
  return config?.kind === "agent"
    ? [entry, visible, `${AGENT_TOOL_PREFIX}${config.agent}`]
    : [entry, visible];
}

/**
 * The names an MCP tool is matched by in `--allowed-tools`/`--disallowed-tools`: the name the model
 * sees (`mcp__github__create_issue`) and the entry naming its server in agents' tools
 * (`mcp:github`), so `--disallowed-tools mcp:github` removes the server's tools as it says.
 */
function mcpToolNames(name: string): string[] {
  const server = mcpServerOfToolName(name);
  return server === undefined ? [name] : [name, `${MCP_ENTRY_PREFIX}${server}`];
}

/** The tools of one execution by name: the shared map, or the child tools bound to `children`. */
export function toolsForRun(tools: AgentTools, children: () => ChildRunner): ReadonlyMap<string, Tool> {
  if (tools.fixed) return tools.fixed;
  const runner = children();
  return new Map(
    tools.entries.map((tool) => {
      const bound = isChildTool(tool) ? tool.bind(runner) : tool;
      return [bound.name, bound];
    }),
  );
}

function isChildTool(tool: Tool | ChildTool): tool is ChildTool {
  return !("execute" in tool);
}

function schemaOf(rt: RuntimeContext, tool: Tool): ToolSchema {
  let schema = rt.toolSchemas.get(tool);
  if (!schema) {
    schema = toolSchemaOf(tool);
    rt.toolSchemas.set(tool, schema);
  }
  return schema;
}
