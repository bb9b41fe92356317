import type { Tool as McpTool } from "@modelcontextprotocol/client";
import { z } from "zod";
import { canonicalJson } from "../audit/canonical-json.ts";
import { globMatch } from "../middleware/glob.ts";
import { withReport } from "../sandbox/network/network-report.ts";
import type { JsonSchema } from "../spec/model.ts";
import type { Tool, ToolResult } from "../spec/tool.ts";
import { toToolResult } from "./call-result.ts";
import { McpCallTimeout, type McpConnection } from "./connection.ts";

/** Arguments of an MCP tool: any JSON object; the server validates them against its own schema. */
const mcpArguments = z.record(z.string(), z.unknown());

/** The server's input schema as the model sees it, always an object schema (providers require one). */
function inputSchemaOf(tool: McpTool): JsonSchema {
  const schema = (tool.inputSchema ?? {}) as JsonSchema;
  return schema["type"] === "object" ? schema : { type: "object", properties: {} };
}

/** Where an MCP tool comes from and its limits. */
export interface McpToolSource {
  server: string;
  connection: McpConnection;
  timeoutMs: number;
  maxOutput?: number;
}

/**
 * One tool of an MCP server as an agentry tool named `name` (`mcp__<server>__<tool>`). Calls go
 * out as `tools/call` with the server's own tool name, bounded by `tool_timeout` and cancelled with
 * the call's signal. Never read-only: a server's `readOnlyHint` is its own claim, not a control.
 * Argument patterns (`mcp__srv__tool:*glob*`) match the canonical JSON of all its arguments: no
 * argument name means anything special to agentry here.
 */
export function mcpTool(name: string, tool: McpTool, source: McpToolSource): Tool<Record<string, unknown>> {
  return {
    name,
    description: tool.description ?? tool.title ?? `Tool "${tool.name}" of the MCP server "${source.server}"`,
    parameters: mcpArguments,
    inputSchema: inputSchemaOf(tool),
    readOnly: false,
    matchArguments: (args, globs) => {
      const text = canonicalJson(args);
      const glob = globs.find((candidate) => globMatch(candidate, text));
      return glob === undefined ? { kind: "no_match" } : { kind: "match", glob };
    },
    async execute(args, ctx): Promise<ToolResult> {
      try {
        const result = await source.connection.callTool(tool.name, args, {
          signal: ctx.signal,
          timeoutMs: source.timeoutMs,
        });
        return withNetworkReport(toToolResult(result, source.maxOutput));
      } catch (error) {
        const meta = { server: source.server };
        if (error instanceof McpCallTimeout) {
          return withNetworkReport({
            ok: false,
            output: "",
            error: `MCP tool "${tool.name}" of server "${source.server}" timed out after ${source.timeoutMs} ms (tool_timeout)`,
            meta: { ...meta, timed_out: true },
          });
        }
        return withNetworkReport({
          ok: false,
          output: error instanceof Error ? error.message : String(error),
          error: `MCP tool "${tool.name}" of server "${source.server}" failed`,
          meta,
        });
      }
    },
  };

  function withNetworkReport(result: ToolResult): ToolResult {
    const report = source.connection.takeNetworkReport?.();
    return report ? withReport(result, report) : result;
  }
}
