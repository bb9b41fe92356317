/** How an agent's `tools` list names MCP tools: `mcp:<server>` or `mcp:<server>/<tool-glob>`. */
export const MCP_ENTRY_PREFIX = "mcp:";

/** A parsed `mcp:` entry of an agent's `tools`: every enabled tool of `server`, or those matching `tool`. */
export interface McpEntry {
  server: string;
  /** A glob on the server's own tool name (`*` matches anything); absent means all enabled tools. */
  tool?: string;
}

/**
 * Parses an agent's tool entry. Returns undefined for entries that are not `mcp:` references;
 * the server name ends at the first `/` (server names cannot contain one, tool names may).
 */
export function parseMcpEntry(entry: string): McpEntry | undefined {
  if (!entry.startsWith(MCP_ENTRY_PREFIX)) return undefined;
  const rest = entry.slice(MCP_ENTRY_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash === -1) return { server: rest };
  return { server: rest.slice(0, slash), tool: rest.slice(slash + 1) };
}

/** The `[mcp.*]` servers an agent's tool list refers to, in order, each once. */
export function mcpServersOf(tools: readonly string[] | undefined): string[] {
  const servers = new Set<string>();
  for (const entry of tools ?? []) {
    const parsed = parseMcpEntry(entry);
    if (parsed) servers.add(parsed.server);
  }
  return [...servers];
}
