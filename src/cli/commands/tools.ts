import type { Config } from "../../config/schema.ts";
import { type McpEntry, parseMcpEntry } from "../../mcp/entries.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { listTools, type ToolListing } from "../../tools/listing.ts";
import { loadCliConfig } from "../cli-config.ts";
import { configSecretsRedactor } from "../config-secrets.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

/** Options of `agentry tools`. */
export interface ToolsOptions extends CommonOptions {
  json?: boolean;
}

function indent(text: string, prefix = "    "): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? "" : prefix + line))
    .join("\n");
}

function renderText(tool: ToolListing): string {
  const access = tool.read_only ? "read-only" : "read-write";
  const parts = [`${tool.name}  (${tool.kind}, ${access})`];
  if (tool.problem) parts.push(`  problem: ${tool.problem}`);
  parts.push("  description:", indent(tool.description.trim() || "-"));
  parts.push(
    "  parameters:",
    indent(tool.parameters ? JSON.stringify(tool.parameters, null, 2) : "(built by the agent runtime)"),
  );
  return parts.join("\n");
}

/**
 * The MCP servers of the config (or the agent's), started to list what they offer: a row per
 * offered tool, and one `mcp:<server>` row for a server that is disabled or failed to start, with
 * the configuration's secrets redacted (a failed server's stderr is quoted).
 */
async function mcpListing(config: Config, agent: string | undefined): Promise<ToolListing[]> {
  const servers = config.mcp ?? {};
  const picks = new Map<string, McpEntry[]>();
  for (const entry of agent === undefined ? [] : (config.agents?.[agent]?.tools ?? [])) {
    const parsed = parseMcpEntry(entry);
    if (parsed) picks.set(parsed.server, [...(picks.get(parsed.server) ?? []), parsed]);
  }
  const names = agent === undefined ? Object.keys(servers) : [...picks.keys()];
  if (names.length === 0) return [];
  const { inspectServers } = await import("../../mcp/inspect.ts");
  const redactor = configSecretsRedactor(config, process.env);
  const reports = redactor.redactValue(
    await inspectServers(
      servers,
      names,
      { env: process.env, addSecrets: (values) => redactor.addSecrets(values) },
      agent === undefined ? undefined : picks,
    ),
  );
  return reports.flatMap((report): ToolListing[] => {
    if (report.state !== "up") {
      return [
        {
          name: `mcp:${report.server}`,
          kind: "mcp",
          server: report.server,
          read_only: false,
          description: `MCP server ${report.server}`,
          parameters: null,
          problem: report.state === "disabled" ? "disabled (enabled = false)" : (report.reason ?? "failed"),
        },
      ];
    }
    return report.tools.map((tool) => ({
      name: tool.name,
      kind: "mcp",
      server: report.server,
      read_only: false,
      description: tool.description,
      parameters: tool.parameters,
    }));
  });
}

/**
 * `agentry tools [AGENT] [--json]`: every configured tool, or one agent's, with kind, read-only
 * flag, the description and JSON Schema the model sees. `--json` prints one JSON array on stdout.
 * No `${VAR}` of built-in tools is resolved, so listing works without their secrets being set;
 * MCP servers are started (with their configured credentials) to list their tools, then stopped.
 */
export default async function toolsCommand(
  agent: string | undefined,
  options: ToolsOptions,
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const { config } = (await loadCliConfig({ ...(options.config ? { config: options.config } : {}) }, cwd))
    .loaded;
  const tools = [...(await listTools(config, agent)), ...(await mcpListing(config, agent))];
  if (options.json) {
    writeAnswer(`${JSON.stringify(tools, null, 2)}\n`);
  } else {
    writeAnswer(tools.length > 0 ? `${tools.map(renderText).join("\n\n")}\n` : "no tools\n");
  }
  return ExitCode.ok;
}
