import { z } from "zod";
import type { Config } from "../../config/schema.ts";

/** An agent or flow offered as an MCP tool. */
export interface ServedTarget {
  /** The MCP tool name: the agent or flow name, characters outside `[a-zA-Z0-9_-]` replaced. */
  tool: string;
  target: string;
  kind: "agent" | "flow";
  description: string;
  /** Template variables the caller may set besides `prompt`. */
  variables: string[];
}

const TEMPLATE_VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The variables an agent declares: its `vars` table and the `{{name}}`s of inline instructions. */
function variablesOf(vars: Record<string, string> | undefined, instructions: string | undefined): string[] {
  const names = new Set(Object.keys(vars ?? {}));
  for (const match of (instructions ?? "").matchAll(TEMPLATE_VARIABLE)) if (match[1]) names.add(match[1]);
  return [...names].filter((name) => name !== "prompt").sort();
}

/** Every configured agent and flow as an MCP tool, agents first, each name once. */
export function servedTargets(config: Config): ServedTarget[] {
  const served: ServedTarget[] = [];
  const taken = new Set<string>();
  const add = (target: string, entry: Omit<ServedTarget, "tool" | "target">) => {
    const tool = target.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
    if (taken.has(tool)) return;
    taken.add(tool);
    served.push({ tool, target, ...entry });
  };
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    add(name, {
      kind: "agent",
      description:
        agent.description ?? `Runs the agentry agent "${name}" on a prompt and returns its answer.`,
      variables: variablesOf(agent.vars, agent.instructions),
    });
  }
  for (const [name, flow] of Object.entries(config.flows ?? {})) {
    add(name, {
      kind: "flow",
      description: flow.description ?? `Runs the agentry ${flow.kind} flow "${name}" and returns its answer.`,
      variables: [],
    });
  }
  return served;
}

/** The input schema of a served tool: `prompt` (required) and each declared variable (optional). */
export function inputSchemaOf(target: ServedTarget) {
  const shape: Record<string, z.ZodType> = {
    prompt: z.string().describe("The task for the agent, with everything it needs to know"),
  };
  for (const name of target.variables)
    shape[name] = z.string().optional().describe(`Template variable ${name}`);
  return z.object(shape);
}
