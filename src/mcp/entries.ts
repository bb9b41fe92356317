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

/**
 * Longest server name whose `mcp__<server>__` prefix survives the cut of a long tool name (at 55
 * characters, see `mcpToolName`), so every tool of the server still matches `mcp__<server>__*`.
 * Kept here, not beside `mcpToolName`, so that configuration checks load nothing else of MCP.
 */
export const MAX_MCP_SERVER_NAME = 55 - "mcp____".length;

/**
 * Why a server name would let another server's tool read as this server's (or this server's tools
 * escape its own patterns), or undefined. Tool names are `mcp__<server>__<tool>` and a server picks
 * its tool names: with servers `a` and `a__b`, server `a`'s tool `b__x` is `mcp__a__b__x`, which
 * rules written for `a__b` (`except = ["mcp__a__b__*"]`) match; likewise `a` and `a_` (tool `_x`).
 * Without `__` in a name and without a trailing `_`, the server of a tool name is the text
 * between `mcp__` and the next `__`.
 */
export function ambiguousServerName(name: string): string | undefined {
  if (name.includes("__"))
    return 'contains "__", the separator of mcp__<server>__<tool>: another server could offer a tool whose name reads as this server\'s';
  if (name.endsWith("_"))
    return 'ends with "_": another server could offer a tool whose name reads as this server\'s (mcp__<server>__<tool>)';
  if (name.length > MAX_MCP_SERVER_NAME)
    return `is longer than ${MAX_MCP_SERVER_NAME} characters: a cut tool name (64 at most) would lose its mcp__<server>__ prefix and escape rules naming the server`;
  return undefined;
}

/**
 * The server of a tool the model calls `mcp__<server>__<tool>`: the text between `mcp__` and the
 * next `__` (server names contain no `__`, do not end in `_` and are short enough to survive a cut
 * name: `ambiguousServerName`), or undefined for a name of another form.
 */
export function mcpServerOfToolName(name: string): string | undefined {
  if (!name.startsWith("mcp__")) return undefined;
  const end = name.indexOf("__", "mcp__".length + 1);
  return end === -1 ? undefined : name.slice("mcp__".length, end);
}
