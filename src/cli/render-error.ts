import { formatConfigIssues } from "../config/format-issues.ts";
import { AgentryError, ConfigError, ExitCode, type ExitCodeValue } from "../spec/index.ts";

/** Renders an error for stderr and picks the exit code. Never prints stacks unless `verbose`. */
export function renderError(err: unknown, verbose = false): { text: string; exitCode: ExitCodeValue } {
  if (err instanceof ConfigError) {
    return { text: formatConfigIssues(err.issues), exitCode: err.exitCode };
  }
  if (err instanceof AgentryError) {
    const hint = typeof err.data["hint"] === "string" ? `\n  hint: ${err.data["hint"]}` : "";
    return { text: `error: ${err.message}${hint}`, exitCode: err.exitCode };
  }
  const message = err instanceof Error ? (verbose && err.stack ? err.stack : err.message) : String(err);
  return { text: `error: ${message}`, exitCode: ExitCode.agentFailed };
}
