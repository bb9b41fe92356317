import {
  type CallToolResult,
  Client,
  type Tool as McpTool,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { interpolate } from "../config/interpolate.ts";
import type { McpServerConfig } from "../config/schema.ts";
import type { NetworkReport, NetworkReporter } from "../sandbox/network/network-report.ts";
import { boundedFetch } from "./bounded-fetch.ts";
import { authProviderOf, type SecretSource } from "./http-auth.ts";
import { stdioLaunch } from "./launch.ts";
import { GroupStdioTransport } from "./stdio-transport.ts";

/** The identity agentry gives MCP servers. */
const CLIENT_INFO = { name: "agentry", version: "1" };

/** Which transport a connection ended up on. */
export type McpTransportKind = "stdio" | "streamable-http" | "sse";

/** A started MCP server: list and call its tools, then close it (killing a stdio server's process group). */
export interface McpConnection {
  readonly transport: McpTransportKind;
  /** The negotiated protocol revision, e.g. `2026-07-28` or `2025-11-25`. */
  readonly protocolVersion: string | undefined;
  /** `tools/list`, served from the SDK's cache while the server's `ttlMs` holds. */
  listTools(): Promise<McpTool[]>;
  callTool(
    name: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<CallToolResult>;
  close(): Promise<void>;
  /** Kills a stdio server's process group synchronously (process exit). */
  killNow(): void;
  /**
   * A stdio server sandboxed with `network_allow`: what its proxy did since the last call, so each
   * tool result carries the requests refused while it ran.
   */
  takeNetworkReport?(): NetworkReport;
}

/** How to connect: secrets, the startup deadline and who hears about a changed tool list. */
export interface ConnectOptions extends SecretSource {
  startupTimeoutMs: number;
  /** Aborted when the start is no longer wanted (the runtime closes): it gives up at once, like at its deadline. */
  stop?: AbortSignal;
  onToolsChanged(tools: McpTool[]): void;
}

/** A server that could not be started, with what it said on stderr (stdio) when it says anything. */
export class McpStartError extends Error {
  override readonly name = "McpStartError";
}

/** A `tools/call` got no answer within `tool_timeout`; the request was cancelled. */
export class McpCallTimeout extends Error {
  override readonly name = "McpCallTimeout";
}

function newClient(options: ConnectOptions, negotiate: "auto" | "legacy" = "auto"): Client {
  return new Client(CLIENT_INFO, {
    capabilities: {},
    versionNegotiation:
      negotiate === "legacy"
        ? { mode: "legacy" }
        : { mode: "auto", probe: { timeoutMs: Math.max(500, Math.floor(options.startupTimeoutMs / 2)) } },
    listChanged: {
      tools: {
        onChanged: (error, tools) => {
          if (!error && tools) options.onToolsChanged(tools);
        },
      },
    },
  });
}

/**
 * `work`, or McpStartError once `ms` have passed or `stop` aborts, after `onTimeout` (which tears
 * the attempt down).
 */
async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout: () => void,
  stop: AbortSignal | undefined,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onStop: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const giveUp = (why: string) => {
      onTimeout();
      reject(new McpStartError(`${what} ${why}`));
    };
    timer = setTimeout(() => giveUp(`did not start within ${ms} ms (startup_timeout)`), ms);
    onStop = () => giveUp("was stopped while it started (the runtime closed)");
    if (stop?.aborted) onStop();
    else stop?.addEventListener("abort", onStop, { once: true });
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener("abort", onStop);
  }
}

function connection(
  client: Client,
  transport: McpTransportKind,
  kill: () => void,
  network?: NetworkReporter,
): McpConnection {
  return {
    ...(network ? { takeNetworkReport: () => network.takeReport() } : {}),
    transport,
    protocolVersion: client.getNegotiatedProtocolVersion(),
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args, { signal, timeoutMs }) => {
      try {
        return (await client.callTool(
          { name, arguments: args },
          { signal, timeout: timeoutMs },
        )) as CallToolResult;
      } catch (error) {
        if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout && !signal.aborted) {
          throw new McpCallTimeout(`no answer within ${timeoutMs} ms`);
        }
        throw error;
      }
    },
    close: () => client.close(),
    killNow: kill,
  };
}

/** The SDK's verdict when a stdio server exited on the `server/discover` probe (a 2025 server that stops on unknown requests). */
function diedOnProbe(error: unknown): boolean {
  return (
    error instanceof SdkError &&
    error.code === SdkErrorCode.EraNegotiationFailed &&
    error.message.includes("closed during the server/discover probe")
  );
}

async function startStdio(
  server: string,
  config: McpServerConfig,
  options: ConnectOptions,
  negotiate: "auto" | "legacy",
  deadline: number,
): Promise<McpConnection> {
  const launch = await stdioLaunch(server, config, options);
  const transport = new GroupStdioTransport(launch);
  const client = newClient(options, negotiate);
  try {
    await withDeadline(
      client.connect(transport),
      Math.max(1, deadline - Date.now()),
      `MCP server "${server}"`,
      () => transport.killNow(),
      options.stop,
    );
  } catch (error) {
    await transport.close().catch(() => {});
    if (negotiate === "auto" && diedOnProbe(error))
      return startStdio(server, config, options, "legacy", deadline);
    const stderr = transport.stderrTail;
    const reason = error instanceof Error ? error.message : String(error);
    throw new McpStartError(
      `MCP server "${server}" failed to start: ${reason}${stderr ? `; stderr: ${stderr}` : ""}`,
    );
  }
  return connection(client, "stdio", () => transport.killNow(), launch.network);
}

/**
 * A stdio server, negotiated in place (2026-07-28, else 2025-11-25); one that exits on the
 * discovery probe is started once more, straight into the 2025 `initialize` handshake. Both tries
 * share the startup deadline.
 */
function connectStdio(
  server: string,
  config: McpServerConfig,
  options: ConnectOptions,
): Promise<McpConnection> {
  return startStdio(server, config, options, "auto", Date.now() + options.startupTimeoutMs);
}

function httpHeaders(
  server: string,
  config: McpServerConfig,
  options: ConnectOptions,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, raw] of Object.entries(config.headers ?? {})) {
    const resolved = interpolate(raw, `mcp.${server}.headers.${key}`, options.env);
    options.addSecrets(resolved.secrets);
    headers[key] = resolved.value;
  }
  return headers;
}

/** A streamable HTTP endpoint that answers POST with 404/405/400 may be a legacy HTTP+SSE server. */
function looksLegacy(error: unknown): boolean {
  const status = error instanceof SdkHttpError ? error.data?.status : undefined;
  return status === 400 || status === 404 || status === 405;
}

async function connectHttp(
  server: string,
  config: McpServerConfig,
  options: ConnectOptions,
): Promise<McpConnection> {
  const resolved = interpolate(config.url ?? "", `mcp.${server}.url`, options.env);
  options.addSecrets(resolved.secrets);
  const url = new URL(resolved.value);
  const headers = httpHeaders(server, config, options);
  const authProvider = authProviderOf(server, config, options);
  const auth = authProvider ? { authProvider } : {};
  const deadline = Date.now() + options.startupTimeoutMs;
  const attempt = async (transport: Transport, kind: McpTransportKind) => {
    const client = newClient(options);
    await withDeadline(
      client.connect(transport),
      Math.max(1, deadline - Date.now()),
      `MCP server "${server}"`,
      () => {
        void transport.close();
      },
      options.stop,
    );
    return connection(client, kind, () => {});
  };
  try {
    return await attempt(
      new StreamableHTTPClientTransport(url, { requestInit: { headers }, fetch: boundedFetch(), ...auth }),
      "streamable-http",
    );
  } catch (error) {
    if (!looksLegacy(error)) {
      throw new McpStartError(
        `MCP server "${server}" failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  try {
    return await attempt(
      new SSEClientTransport(url, { requestInit: { headers }, fetch: boundedFetch(), ...auth }),
      "sse",
    );
  } catch (error) {
    throw new McpStartError(
      `MCP server "${server}" failed to start over streamable HTTP and legacy HTTP+SSE: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Starts one server and negotiates the protocol: the 2026-07-28 revision (`server/discover`)
 * first, falling back to 2025-11-25 (`initialize`); over HTTP, a server that refuses streamable
 * HTTP is tried with the legacy HTTP+SSE transport. Bounded by `startupTimeoutMs` (all attempts
 * together); `${VAR}`s in the URL and headers are registered as secrets. Throws
 * McpStartError (or ConfigError for an unset variable).
 */
export function connectServer(
  server: string,
  config: McpServerConfig,
  options: ConnectOptions,
): Promise<McpConnection> {
  return config.command !== undefined
    ? connectStdio(server, config, options)
    : connectHttp(server, config, options);
}
