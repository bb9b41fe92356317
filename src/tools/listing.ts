import { namedEntry } from "../config/named-entry.ts";
import type { Config, ToolConfig } from "../config/schema.ts";
import { AGENT_TOOL_PREFIX } from "../config/tool-patterns.ts";
import { UsageError } from "../spec/errors.ts";
import type { JsonSchema } from "../spec/model.ts";
import { fileParameters } from "./file/index.ts";
import { httpParameters, httpToolReadOnly } from "./http/index.ts";
import { createBuiltinTool, parametersJsonSchema, toolSchemaOf } from "./registry.ts";
import { shellParameters } from "./shell/index.ts";
import { agentToolDefinition } from "./sub-agent/agent-definition.ts";
import {
  delegableEntries,
  delegateToolDefinition,
  type ToolEntry,
  toolEntries,
} from "./sub-agent/delegate-definition.ts";

/** One row of `agentry tools`: what the model would see of a tool, and how it is governed. */
export interface ToolListing {
  name: string;
  kind: ToolConfig["kind"] | "mcp";
  /** For MCP tools: the server offering it. */
  server?: string;
  read_only: boolean;
  description: string;
  /** Null when the schema only exists at run time (an MCP server that is not up). */
  parameters: JsonSchema | null;
  /** Why the tool could not be built as configured (e.g. a file root that does not exist). */
  problem?: string;
}

/** Resolves every `${VAR}` to a visible placeholder: listing never reads or shows real secrets. */
const PLACEHOLDER_ENV = new Proxy<Record<string, string | undefined>>(
  {},
  { get: (_target, key) => (typeof key === "string" ? `<${key}>` : undefined) },
);

const STATIC_PARAMETERS = { shell: shellParameters, http: httpParameters, file: fileParameters() } as const;

function agentListing(name: string, agent: string, config: Config, entry?: ToolConfig): ToolListing {
  const definition = agentToolDefinition(config, {
    child: agent,
    toolName: name,
    ...(entry?.description ? { description: entry.description } : {}),
  });
  const schema = toolSchemaOf(definition);
  return {
    name,
    kind: "agent",
    read_only: definition.readOnly,
    description: schema.description,
    parameters: schema.parameters,
  };
}

/**
 * A delegate tool as the model sees it. Its description names the tools of the agent that lists
 * it (`parent`); listed without an agent, it shows the configured description or says so.
 */
function delegateListing(
  name: string,
  entry: Extract<ToolConfig, { kind: "delegate" }>,
  parent: readonly ToolEntry[] | undefined,
): ToolListing {
  const definition = delegateToolDefinition(delegableEntries(parent ?? [], entry.tools), {
    name,
    ...(entry.description ? { description: entry.description } : {}),
    ...(entry.max_turns ? { maxTurns: entry.max_turns } : {}),
  });
  const schema = toolSchemaOf(definition);
  return {
    name,
    kind: "delegate",
    read_only: definition.readOnly,
    description: parent ? schema.description : (entry.description ?? "built by the agent runtime"),
    parameters: schema.parameters,
  };
}

/** How the runtime would flag a built-in tool, for a row whose tool could not be built. */
function configuredReadOnly(entry: Extract<ToolConfig, { kind: "shell" | "http" | "file" }>): boolean {
  switch (entry.kind) {
    case "shell":
      return entry.read_only ?? false;
    case "http":
      return httpToolReadOnly(entry);
    case "file":
      return entry.write !== true;
  }
}

async function configuredListing(
  name: string,
  entry: ToolConfig,
  config: Config,
  parent?: readonly ToolEntry[],
): Promise<ToolListing> {
  switch (entry.kind) {
    case "agent":
      return agentListing(name, entry.agent, config, entry);
    case "delegate":
      return delegateListing(name, entry, parent);
    default:
      try {
        const tool = await createBuiltinTool(name, entry, { env: PLACEHOLDER_ENV });
        if (!tool) throw new Error(`no builder for ${entry.kind}`);
        const schema = toolSchemaOf(tool);
        return {
          name,
          kind: entry.kind,
          read_only: tool.readOnly,
          description: schema.description,
          parameters: schema.parameters,
        };
      } catch (err) {
        return {
          name,
          kind: entry.kind,
          read_only: configuredReadOnly(entry),
          description: entry.description ?? "",
          parameters: parametersJsonSchema(STATIC_PARAMETERS[entry.kind]),
          problem: err instanceof Error ? err.message : String(err),
        };
      }
  }
}

/**
 * The tools of a loaded configuration as the model would see them: every `[tools.*]` entry, or
 * only the tools of `agent` (its `agent:NAME` entries shown as `agent_NAME`; its `mcp:` entries
 * are left to the MCP listing, which must start the servers). Rejects with UsageError
 * for an unknown agent or a tool reference that names nothing.
 */
export async function listTools(config: Config, agent?: string): Promise<ToolListing[]> {
  const tools = config.tools ?? {};
  if (agent === undefined)
    return Promise.all(Object.entries(tools).map(([name, entry]) => configuredListing(name, entry, config)));
  const agentConfig = namedEntry(config.agents, agent);
  if (!agentConfig) {
    const known = Object.keys(config.agents ?? {}).join(", ") || "none";
    throw new UsageError(`unknown agent ${JSON.stringify(agent)} (agents: ${known})`);
  }
  const parent = toolEntries(tools, agentConfig.tools ?? []);
  return Promise.all(
    (agentConfig.tools ?? [])
      .filter((reference) => !reference.startsWith("mcp:"))
      .map(async (reference) => {
        if (reference.startsWith(AGENT_TOOL_PREFIX)) {
          const target = reference.slice(AGENT_TOOL_PREFIX.length);
          return agentListing(`agent_${target}`, target, config);
        }
        const entry = tools[reference];
        if (!entry)
          throw new UsageError(`agent ${agent} refers to the unknown tool ${JSON.stringify(reference)}`);
        return configuredListing(reference, entry, config, parent);
      }),
  );
}
