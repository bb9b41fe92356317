import type { Command } from "commander";
import type { ApproveMode } from "../../config/schema.ts";
import { serveMcp } from "../../mcp/serve/index.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { buildInfo } from "../build-info.ts";
import { loadCliConfig } from "../cli-config.ts";
import type { CommonOptions } from "../main.ts";

interface ServeFlags extends CommonOptions {
  approve?: ApproveMode;
}

/**
 * `agentry mcp serve`: the configured agents and flows as MCP tools over stdio, until the client
 * closes stdin or a signal arrives. Approvals follow `--approve` (default `deny`); stdout carries
 * only MCP messages.
 */
export default async function mcpServeCommand(
  options: ServeFlags,
  _command: Command,
): Promise<ExitCodeValue> {
  const { loaded } = await loadCliConfig(options.config !== undefined ? { config: options.config } : {});
  const controller = new AbortController();
  const server = serveMcp({
    loaded,
    approve: options.approve ?? "deny",
    version: buildInfo.version,
    signal: controller.signal,
    collectGarbage: true,
  });
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    controller.abort();
    void server.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await server.closed;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    controller.abort();
    await server.close();
  }
  return interrupted ? ExitCode.interrupted : ExitCode.ok;
}
