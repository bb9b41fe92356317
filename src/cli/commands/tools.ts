import { loadConfig } from "../../config/loader.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { listTools, type ToolListing } from "../../tools/listing.ts";
import { findConfigPath } from "../config-path.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

/** Options of `agentry tools`. */
export interface ToolsOptions extends CommonOptions {
  json?: boolean;
}

function indent(text: string, prefix = "    "): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? "" : prefix + line))
    .join("\n");
}

function renderText(tool: ToolListing): string {
  const access = tool.read_only ? "read-only" : "read-write";
  const parts = [`${tool.name}  (${tool.kind}, ${access})`];
  if (tool.problem) parts.push(`  problem: ${tool.problem}`);
  parts.push("  description:", indent(tool.description.trim() || "-"));
  parts.push(
    "  parameters:",
    indent(tool.parameters ? JSON.stringify(tool.parameters, null, 2) : "(built by the agent runtime)"),
  );
  return parts.join("\n");
}

/**
 * `agentry tools [AGENT] [--json]`: every configured tool, or one agent's, with kind, read-only
 * flag, the description and JSON Schema the model sees. `--json` prints one JSON array on stdout.
 * No `${VAR}` is resolved, so listing works without the secrets being set.
 */
export default async function toolsCommand(
  agent: string | undefined,
  options: ToolsOptions,
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const { config } = await loadConfig(findConfigPath(options.config, cwd), { cwd });
  const tools = await listTools(config, agent);
  if (options.json) {
    writeAnswer(`${JSON.stringify(tools, null, 2)}\n`);
  } else {
    writeAnswer(tools.length > 0 ? `${tools.map(renderText).join("\n\n")}\n` : "no tools\n");
  }
  return ExitCode.ok;
}
