import type { McpServerConfig } from "../config/schema.ts";
import type { JsonSchema } from "../spec/model.ts";
import type { McpEntry } from "./entries.ts";
import type { SecretSource } from "./http-auth.ts";
import { McpServerPool, offeredTools } from "./server-pool.ts";

/** One server as `agentry tools` and `agentry doctor` show it. */
export interface McpServerReport {
  server: string;
  required: boolean;
  state: "up" | "failed" | "disabled";
  transport?: string;
  protocol_version?: string;
  reason?: string;
  /** The tools offered to the model, by the name it sees, with the server's own name and schema. */
  tools: { name: string; tool: string; description: string; parameters: JsonSchema }[];
}

/**
 * Starts the named servers (in parallel, each within its startup timeout), reports their state
 * and offered tools, and stops them again. `picks` narrows a server's tools to an agent's entries.
 */
export async function inspectServers(
  servers: Readonly<Record<string, McpServerConfig>>,
  names: readonly string[],
  secrets: SecretSource,
  picks?: ReadonlyMap<string, readonly McpEntry[]>,
): Promise<McpServerReport[]> {
  const pool = new McpServerPool(servers, secrets);
  pool.start(names);
  try {
    const taken = new Set<string>();
    return await Promise.all(
      names.map(async (server): Promise<McpServerReport> => {
        const config = servers[server];
        const required = config?.required === true;
        const state = await pool.state(server);
        if (state.state === "disabled") return { server, required, state: "disabled", tools: [] };
        if (state.state === "failed")
          return { server, required, state: "failed", reason: state.reason, tools: [] };
        return {
          server,
          required,
          state: "up",
          transport: state.connection.transport,
          ...(state.connection.protocolVersion ? { protocol_version: state.connection.protocolVersion } : {}),
          tools: offeredTools(server, config, state.tools, picks?.get(server), taken).map(
            ({ name, tool }) => ({
              name,
              tool: tool.name,
              description: tool.description ?? "",
              parameters: (tool.inputSchema ?? { type: "object" }) as JsonSchema,
            }),
          ),
        };
      }),
    );
  } finally {
    await pool.close();
  }
}
