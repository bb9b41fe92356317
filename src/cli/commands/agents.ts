import type { Config, FlowStep } from "../../config/schema.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { loadCliConfig } from "../cli-config.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

/** The mode an agent runs in when neither it nor `[defaults]` sets one. */
const DEFAULT_MODE = "ask";

function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function describeStep(step: FlowStep): string {
  if (typeof step === "string") return step;
  const [kind, children] = Object.entries(step)[0] as [string, FlowStep[]];
  return `${kind}(${children.map(describeStep).join(", ")})`;
}

/** One agent or flow as `agents --json` prints it. */
export type AgentListing =
  | {
      type: "agent";
      name: string;
      default: boolean;
      model: string | null;
      mode: string;
      tools: string[];
      description: string;
    }
  | { type: "flow"; name: string; default: boolean; kind: string; steps: FlowStep[]; description: string };

/** The agents, then the flows, of a configuration with their effective model and mode. */
export function listAgents(config: Config): AgentListing[] {
  const defaults = config.defaults ?? {};
  const agents = Object.entries(config.agents ?? {}).map(
    ([name, agent]): AgentListing => ({
      type: "agent",
      name,
      default: name === defaults.agent,
      model: agent.model ?? defaults.model ?? null,
      mode: agent.mode ?? defaults.mode ?? DEFAULT_MODE,
      tools: agent.tools ?? [],
      description: agent.description ?? "",
    }),
  );
  const flows = Object.entries(config.flows ?? {}).map(
    ([name, flow]): AgentListing => ({
      type: "flow",
      name,
      default: name === defaults.agent,
      kind: flow.kind,
      steps: flow.steps,
      description: flow.description ?? "",
    }),
  );
  return [...agents, ...flows];
}

/**
 * `agentry agents [--json]`: a table of agents on stdout (name, effective model and mode, tools,
 * description), then a table of flows (name, kind, steps, description) when there are any;
 * `--json` prints one JSON array of both (`listAgents`). Without a configuration file it lists
 * the zero-config `assistant`.
 */
export default async function agentsCommand(
  options: CommonOptions & { json?: boolean },
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const { loaded } = await loadCliConfig({ ...(options.config ? { config: options.config } : {}) }, cwd);
  const listed = listAgents(loaded.config);
  if (options.json) {
    writeAnswer(`${JSON.stringify(listed, null, 2)}\n`);
    return ExitCode.ok;
  }
  const named = (entry: AgentListing) => (entry.default ? `${entry.name} (default)` : entry.name);
  const agentRows = listed.flatMap((entry) =>
    entry.type === "agent"
      ? [[named(entry), entry.model ?? "-", entry.mode, entry.tools.join(", ") || "-", entry.description]]
      : [],
  );
  const parts = [
    agentRows.length > 0
      ? textTable(["AGENT", "MODEL", "MODE", "TOOLS", "DESCRIPTION"], agentRows)
      : "no agents",
  ];
  const flowRows = listed.flatMap((entry) =>
    entry.type === "flow"
      ? [[named(entry), entry.kind, entry.steps.map(describeStep).join(", "), entry.description]]
      : [],
  );
  if (flowRows.length > 0) parts.push(textTable(["FLOW", "KIND", "STEPS", "DESCRIPTION"], flowRows));
  writeAnswer(`${parts.join("\n\n")}\n`);
  return ExitCode.ok;
}
