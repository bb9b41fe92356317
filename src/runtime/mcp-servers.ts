import type { McpServerConfig } from "../config/schema.ts";
import { MCP_ENTRY_PREFIX, mcpServerOfToolName } from "../mcp/entries.ts";
import type { SecretSource } from "../mcp/http-auth.ts";
import type { McpAgentTools, McpServerPool } from "../mcp/server-pool.ts";
import type { Pipeline } from "../middleware/compose.ts";

/**
 * The runtime's MCP servers, loaded on first use: a run whose agent lists no `mcp:` tool never
 * imports the MCP client (start-up time and memory stay as without MCP).
 */
export class McpServers {
  private pool: Promise<McpServerPool> | undefined;
  private readonly known = new Set<string>();
  private readonly secrets: SecretSource;

  constructor(
    private readonly servers: Readonly<Record<string, McpServerConfig>>,
    secrets: SecretSource,
  ) {
    this.secrets = {
      env: secrets.env,
      ...(secrets.sandboxHost ? { sandboxHost: secrets.sandboxHost } : {}),
      addSecrets: (values) => {
        for (const value of values) this.known.add(value);
        secrets.addSecrets(values);
      },
    };
  }

  /**
   * Every secret value the servers have used so far (bearer and OAuth tokens, client secrets,
   * `set_env` and header values); an agent with MCP tools hands them to each run's redactor.
   */
  secretValues(): string[] {
    return [...this.known];
  }

  /** The MCP tools of an agent's tool list, or undefined when it lists none. See `McpServerPool.toolsFor`. */
  async toolsFor(
    entries: readonly string[],
    warn: (message: string) => void,
  ): Promise<McpAgentTools | undefined> {
    if (!entries.some((entry) => entry.startsWith(MCP_ENTRY_PREFIX))) return undefined;
    this.pool ??= import("../mcp/server-pool.ts").then(
      ({ McpServerPool }) => new McpServerPool(this.servers, this.secrets),
    );
    return (await this.pool).toolsFor(entries, warn);
  }

  /** Stops every server started (kills stdio servers' process groups). */
  async close(): Promise<void> {
    if (this.pool) await (await this.pool).close();
  }
}

/**
 * The executor of an agent with MCP tools: calls of a server that has `[mcp.<name>.policy]` go
 * through a pipeline built with that policy merged over the agent's; every other call through the
 * agent's own pipeline. A call's server is read from its name (`mcp__<server>__<tool>`, whose
 * server part is unambiguous: `ambiguousServerName`), not from the tool object: a `delegate`
 * child assembles its own MCP tool objects and runs its calls through this executor, and must
 * meet the server's policy like its parent (before, its calls went through the agent's pipeline
 * alone, so delegating escaped the server's deny rules).
 */
export function withServerPolicies(
  base: Pipeline,
  listed: readonly string[],
  servers: Readonly<Record<string, McpServerConfig>>,
  build: (policy: NonNullable<McpServerConfig["policy"]>) => Pipeline,
): Pipeline {
  const byServer = new Map<string, Pipeline>();
  for (const server of listed) {
    const policy = servers[server]?.policy;
    if (policy) byServer.set(server, build(policy));
  }
  if (byServer.size === 0) return base;
  return (ctx, call) => {
    const server = mcpServerOfToolName(call.name);
    return ((server && byServer.get(server)) || base)(ctx, call);
  };
}
