import { loadConfig } from "../../config/loader.ts";
import type { FlowStep } from "../../config/schema.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { findConfigPath } from "../config-path.ts";
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

/**
 * `agentry agents`: a table of agents on stdout (name, effective model and mode, tools,
 * description), then a table of flows (name, kind, steps, description) when there are any.
 */
export default async function agentsCommand(options: CommonOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const { config } = await loadConfig(findConfigPath(options.config, cwd), { cwd });
  const defaults = config.defaults ?? {};
  const agentRows = Object.entries(config.agents ?? {}).map(([name, agent]) => [
    name === defaults.agent ? `${name} (default)` : name,
    agent.model ?? defaults.model ?? "-",
    agent.mode ?? defaults.mode ?? DEFAULT_MODE,
    (agent.tools ?? []).join(", ") || "-",
    agent.description ?? "",
  ]);
  const parts = [
    agentRows.length > 0
      ? textTable(["AGENT", "MODEL", "MODE", "TOOLS", "DESCRIPTION"], agentRows)
      : "no agents",
  ];
  const flowRows = Object.entries(config.flows ?? {}).map(([name, flow]) => [
    name === defaults.agent ? `${name} (default)` : name,
    flow.kind,
    flow.steps.map(describeStep).join(", "),
    flow.description ?? "",
  ]);
  if (flowRows.length > 0) parts.push(textTable(["FLOW", "KIND", "STEPS", "DESCRIPTION"], flowRows));
  writeAnswer(`${parts.join("\n\n")}\n`);
  return ExitCode.ok;
}
