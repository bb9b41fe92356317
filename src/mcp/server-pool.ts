import type { Tool as McpTool } from "@modelcontextprotocol/client";
import type { McpServerConfig } from "../config/schema.ts";
import { globMatch } from "../middleware/glob.ts";
import { ConfigError } from "../spec/errors.ts";
import type { Tool } from "../spec/tool.ts";
import { connectServer, type McpConnection } from "./connection.ts";
import { type McpEntry, parseMcpEntry } from "./entries.ts";
import type { SecretSource } from "./http-auth.ts";
import { mcpTool } from "./mcp-tool.ts";
import { McpServerError } from "./server-error.ts";
import { uniqueMcpToolName } from "./tool-names.ts";

/** Defaults of `[mcp.<name>]` (docs/MCP.md). */
export const MCP_DEFAULTS = { startupTimeoutMs: 10_000, toolTimeoutMs: 60_000 } as const;

/** A server's state once its start settled: up with its current tool list, failed with the reason, or disabled. */
export type ServerState =
  | { state: "up"; connection: McpConnection; tools: McpTool[] }
  | { state: "failed"; reason: string; cause: unknown }
  | { state: "disabled" };

/** An agent's MCP tools. */
export interface McpAgentTools {
  tools: Tool[];
}

/** Whether a server exposes a tool: `enabled_tools` (if any) must match and no `disabled_tools` may. */
export function toolEnabled(config: McpServerConfig, tool: string): boolean {
  if (config.enabled_tools && !config.enabled_tools.some((glob) => globMatch(glob, tool))) return false;
  return !(config.disabled_tools ?? []).some((glob) => globMatch(glob, tool));
}

/**
 * The tools of a server offered to the model, each with its `mcp__<server>__<tool>` name: those
 * enabled by `enabled_tools`/`disabled_tools` and picked by an agent's entries (all of them when
 * `picks` is absent). Names are made unique against `taken`, which is updated.
 */
export function offeredTools(
  server: string,
  config: McpServerConfig | undefined,
  tools: readonly McpTool[],
  picks: readonly McpEntry[] | undefined,
  taken: Set<string>,
): { name: string; tool: McpTool }[] {
  const offered: { name: string; tool: McpTool }[] = [];
  for (const tool of tools) {
    if (!config || !toolEnabled(config, tool.name)) continue;
    if (picks && !picks.some((pick) => pick.tool === undefined || globMatch(pick.tool, tool.name))) continue;
    const name = uniqueMcpToolName(server, tool.name, taken);
    taken.add(name);
    offered.push({ name, tool });
  }
  return offered;
}

/**
 * The MCP servers of one runtime. Each server starts once, on first use, in parallel with the
 * others and bounded by its `startup_timeout` (a failed start is tried again on the next use); its
 * `tools/list` is kept and refreshed on `list_changed`. Closing the pool closes every connection
 * and kills every stdio server's process group; a process exit (second Ctrl-C) kills them
 * synchronously.
 */
export class McpServerPool {
  private readonly starts = new Map<string, Promise<ServerState>>();
  private readonly live = new Set<McpConnection>();
  private readonly onExit = () => {
    for (const connection of this.live) connection.killNow();
  };
  private closed = false;
  /** Aborted by `close`: servers still starting give up at once instead of at their startup timeout. */
  private readonly closing = new AbortController();

  constructor(
    private readonly servers: Readonly<Record<string, McpServerConfig>>,
    private readonly secrets: SecretSource,
  ) {}

  /** Starts the named servers (those not started yet) without waiting for them. */
  start(names: readonly string[]): void {
    for (const name of names) void this.state(name);
  }

  /**
   * The state of a server once its start has settled (starting it if needed). A start that failed
   * is forgotten once settled, so the next caller (a later run, another `mcp serve` request)
   * tries again instead of getting the old failure; callers already waiting share the attempt.
   */
  state(name: string): Promise<ServerState> {
    let started = this.starts.get(name);
    if (!started) {
      const attempt = this.open(name).then((state) => {
        if (state.state === "failed" && this.starts.get(name) === attempt) this.starts.delete(name);
        return state;
      });
      this.starts.set(name, attempt);
      started = attempt;
    }
    return started;
  }

  private async open(name: string): Promise<ServerState> {
    const config = this.servers[name];
    if (!config)
      return { state: "failed", reason: `no [mcp.${name}] server is configured`, cause: undefined };
    if (config.enabled === false) return { state: "disabled" };
    const startupTimeoutMs = config.startup_timeout ?? MCP_DEFAULTS.startupTimeoutMs;
    let connection: McpConnection | undefined;
    let current: ServerState | undefined;
    try {
      connection = await connectServer(name, config, {
        ...this.secrets,
        startupTimeoutMs,
        stop: this.closing.signal,
        onToolsChanged: (tools) => {
          if (current?.state === "up") current.tools = tools;
        },
      });
      if (this.closed) {
        await connection.close();
        return { state: "failed", reason: "the runtime closed while the server started", cause: undefined };
      }
      this.track(connection);
      const tools = await listWithin(connection, startupTimeoutMs, this.closing.signal);
      current = { state: "up", connection, tools };
      return current;
    } catch (cause) {
      if (connection) await this.drop(connection);
      return { state: "failed", reason: cause instanceof Error ? cause.message : String(cause), cause };
    }
  }

  /**
   * The MCP tools an agent lists (`mcp:<server>` or `mcp:<server>/<tool-glob>`), named
   * `mcp__<server>__<tool>`. Waits for the servers it needs (each at most its startup timeout). A
   * failed `required` server throws McpServerError (exit 4); a failed optional one is reported
   * through `warn` and its tools are missing; a disabled one (`enabled = false`) offers nothing. An
   * unset `${VAR}` the server needs is a ConfigError (exit 2) whether it is required or not.
   */
  async toolsFor(entries: readonly string[], warn: (message: string) => void): Promise<McpAgentTools> {
    const wanted = new Map<string, McpEntry[]>();
    for (const entry of entries) {
      const parsed = parseMcpEntry(entry);
      if (!parsed) continue;
      wanted.set(parsed.server, [...(wanted.get(parsed.server) ?? []), parsed]);
    }
    const states = new Map([...wanted.keys()].map((server) => [server, this.state(server)]));
    const result: McpAgentTools = { tools: [] };
    const taken = new Set<string>();
    for (const [server, picks] of wanted) {
      const config = this.servers[server];
      const state = await (states.get(server) as Promise<ServerState>);
      if (state.state === "disabled") continue;
      if (state.state === "failed") {
        if (state.cause instanceof ConfigError) throw state.cause;
        if (config?.required) {
          throw new McpServerError(`required MCP server "${server}" is unavailable: ${state.reason}`, {
            server,
          });
        }
        warn(`MCP server "${server}" is unavailable, its tools are missing: ${state.reason}`);
        continue;
      }
      for (const { name, tool } of offeredTools(server, config, state.tools, picks, taken)) {
        const adapted = mcpTool(name, tool, {
          server,
          connection: state.connection,
          timeoutMs: config?.tool_timeout ?? MCP_DEFAULTS.toolTimeoutMs,
          ...(config?.max_output !== undefined ? { maxOutput: config.max_output } : {}),
        });
        result.tools.push(adapted as Tool);
      }
    }
    return result;
  }

  /** Closes every connection: stdio servers' process groups get SIGTERM, then SIGKILL. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    const settled = await Promise.all([...this.starts.values()]);
    await Promise.all(
      settled.map((state) => (state.state === "up" ? this.drop(state.connection) : undefined)),
    );
    process.off("exit", this.onExit);
  }

  private track(connection: McpConnection): void {
    if (this.live.size === 0) process.on("exit", this.onExit);
    this.live.add(connection);
  }

  private async drop(connection: McpConnection): Promise<void> {
    this.live.delete(connection);
    await connection.close().catch(() => {});
  }
}

/** The server's tools, or an error after `ms` without an answer or once `stop` aborts. */
async function listWithin(connection: McpConnection, ms: number, stop: AbortSignal): Promise<McpTool[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onStop: (() => void) | undefined;
  try {
    return await Promise.race([
      connection.listTools(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`tools/list got no answer within ${ms} ms`)), ms);
        onStop = () => reject(new Error("tools/list was stopped (the runtime closed)"));
        if (stop.aborted) onStop();
        else stop.addEventListener("abort", onStop, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onStop) stop.removeEventListener("abort", onStop);
  }
}
