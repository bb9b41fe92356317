import { MCP_ENTRY_PREFIX } from "../mcp/entries.ts";
import { expectedName, type SemanticInput } from "./issue-report.ts";
import type { KeyPath } from "./key-path.ts";
import { namedEntry } from "./named-entry.ts";
import type { FlowStep } from "./schema.ts";
import { suggest } from "./suggest.ts";
import { AGENT_TOOL_PREFIX, modelToolName } from "./tool-patterns.ts";

/**
 * Checks that every name refers to something declared: the default agent, providers in model
 * references, tools and `agent:` tools of agents, agents of `agent` tools, delegate tool lists,
 * flow steps (without cycles) and schedule targets.
 */
export function checkReferences(input: SemanticInput): void {
  const { config, declared, report } = input;
  const runnable = new Set([...declared.agents, ...declared.flows]);

  const unknownName = (path: KeyPath, kind: string, name: string, candidates: Set<string>) => {
    const suggestion = suggest(name, candidates);
    report(path, {
      message: `unknown ${kind} "${name}"`,
      expected: expectedName(kind, candidates),
      found: JSON.stringify(name),
      ...(suggestion !== undefined ? { suggestion } : {}),
    });
  };

  const checkModel = (path: KeyPath, ref: string | undefined) => {
    if (ref === undefined) return;
    const provider = ref.slice(0, ref.indexOf("/"));
    if (!declared.providers.has(provider)) unknownName(path, "provider", provider, declared.providers);
  };

  const defaultAgent = config.defaults?.agent;
  if (defaultAgent !== undefined && !runnable.has(defaultAgent)) {
    unknownName(["defaults", "agent"], "agent or flow", defaultAgent, runnable);
  }
  checkModel(["defaults", "model"], config.defaults?.model);
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    provider.fallback?.forEach((ref, i) => {
      checkModel(["providers", name, "fallback", i], ref);
    });
  }

  const toolNames = new Set([
    ...declared.tools,
    ...[...declared.agents].map((a) => `${AGENT_TOOL_PREFIX}${a}`),
  ]);
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    checkModel(["agents", name, "model"], agent.model);
    if (agent.model === undefined && config.defaults?.model === undefined) {
      report(["agents", name], {
        message: `agent "${name}" has no model`,
        expected: `agents.${name}.model or defaults.model = "provider/model"`,
        found: "nothing",
      });
    }
    const offeredAs = new Map<string, string>();
    agent.tools?.forEach((tool, i) => {
      const path = ["agents", name, "tools", i];
      const visible = modelToolName(tool);
      const earlier = offeredAs.get(visible);
      if (earlier !== undefined) {
        report(path, {
          message:
            earlier === tool
              ? `tool "${tool}" is listed twice`
              : `"${earlier}" and "${tool}" would both be offered to the model as "${visible}"`,
          expected: "each tool once, under a name no other entry takes",
          found: JSON.stringify(tool),
        });
      }
      offeredAs.set(visible, tool);
      if (tool.startsWith(AGENT_TOOL_PREFIX)) {
        const target = tool.slice(AGENT_TOOL_PREFIX.length);
        if (target === name) report(path, { message: `agent "${name}" cannot use itself as a tool` });
        else if (!declared.agents.has(target)) {
          const others = new Set([...declared.agents].filter((a) => a !== name));
          if (others.size > 0) unknownName(path, "agent", target, others);
          else {
            report(path, {
              message: `unknown agent "${target}"`,
              expected: `another declared agent (agent "${name}" cannot use itself, and it is the only one)`,
              found: JSON.stringify(target),
            });
          }
        }
        return;
      }
      if (tool.startsWith(MCP_ENTRY_PREFIX)) return;
      if (!declared.tools.has(tool)) unknownName(path, "tool", tool, usableTools(config, toolNames, name));
      const config_ = namedEntry(config.tools, tool);
      if (config_?.kind === "agent" && config_.agent === name) {
        report(path, { message: `agent "${name}" cannot use itself as a tool (tools.${tool} runs it)` });
      }
    });
  }

  for (const [name, tool] of Object.entries(config.tools ?? {})) {
    if (tool.kind === "agent" && !declared.agents.has(tool.agent)) {
      unknownName(["tools", name, "agent"], "agent", tool.agent, declared.agents);
    }
    if (tool.kind === "delegate") {
      tool.tools?.forEach((entry, i) => {
        const path = ["tools", name, "tools", i];
        if (!declared.tools.has(entry)) unknownName(path, "tool", entry, declared.tools);
        else if (namedEntry(config.tools, entry)?.kind === "delegate") {
          report(path, { message: "a delegate tool cannot hand out a delegate tool" });
        }
      });
    }
  }

  checkFlows(input, runnable, unknownName);

  for (const [name, schedule] of Object.entries(config.schedules ?? {})) {
    if (!runnable.has(schedule.agent)) {
      unknownName(["schedules", name, "agent"], "agent or flow", schedule.agent, runnable);
    }
  }
}

/**
 * The tools agent `self` may list, for "did you mean" and the expected list: every declared tool
 * and `agent:NAME`, except the ones that would run `self` itself (illegal, so never suggested).
 */
function usableTools(config: SemanticInput["config"], toolNames: Set<string>, self: string): Set<string> {
  const usable = new Set<string>();
  for (const tool of toolNames) {
    if (tool === `${AGENT_TOOL_PREFIX}${self}`) continue;
    const declared = namedEntry(config.tools, tool);
    if (declared?.kind === "agent" && declared.agent === self) continue;
    usable.add(tool);
  }
  return usable;
}

function checkFlows(
  { config, declared, report }: SemanticInput,
  runnable: Set<string>,
  unknownName: (path: KeyPath, kind: string, name: string, candidates: Set<string>) => void,
): void {
  const edges = new Map<string, string[]>();
  for (const [name, flow] of Object.entries(config.flows ?? {})) {
    if (declared.agents.has(name)) {
      report(
        ["flows", name],
        {
          message: `"${name}" names both an agent and a flow`,
          expected: "agents and flows with distinct names",
        },
        "key",
      );
    }
    if (flow.vote !== undefined && flow.kind !== "parallel") {
      report(["flows", name, "vote"], {
        message: 'vote applies only to kind = "parallel"',
        found: JSON.stringify(flow.kind),
      });
    }
    const targets: string[] = [];
    const visit = (step: FlowStep, path: KeyPath) => {
      if (typeof step === "string") {
        if (!runnable.has(step)) unknownName(path, "agent or flow", step, runnable);
        else if (declared.flows.has(step)) targets.push(step);
        return;
      }
      for (const [key, children] of Object.entries(step) as [string, FlowStep[]][]) {
        children.forEach((child, i) => {
          visit(child, [...path, key, i]);
        });
      }
    };
    flow.steps.forEach((step, i) => {
      visit(step, ["flows", name, "steps", i]);
    });
    edges.set(name, targets);
  }
  const reported = new Set<string>();
  const walk = (name: string, stack: string[]) => {
    const at = stack.indexOf(name);
    if (at >= 0) {
      const cycle = stack.slice(at);
      const key = [...cycle].sort().join("\0");
      if (!reported.has(key)) {
        reported.add(key);
        const first = cycle[0] as string;
        report(["flows", first, "steps"], { message: `flow cycle: ${[...cycle, name].join(" → ")}` }, "key");
      }
      return;
    }
    for (const next of edges.get(name) ?? []) walk(next, [...stack, name]);
  };
  for (const name of [...edges.keys()].sort()) walk(name, []);
}
