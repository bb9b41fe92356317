import { AgentryError } from "../spec/errors.ts";
import { ExitCode } from "../spec/exit-codes.ts";

/** A `required = true` MCP server could not be started: the run fails with exit 4 (like an unreachable provider). */
export class McpServerError extends AgentryError {
  override readonly name = "McpServerError";
  override readonly exitCode = ExitCode.provider;
}
