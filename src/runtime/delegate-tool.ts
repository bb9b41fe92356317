import type { z } from "zod";
import type { AgentConfig } from "../config/schema.ts";
import { RunStop } from "../spec/run-stop.ts";
import type { Tool, ToolResult } from "../spec/tool.ts";
import { toolSchemaOf } from "../tools/registry.ts";
import {
  DEFAULT_DELEGATE_MAX_TURNS,
  delegableEntries,
  type delegateParameters,
  delegateToolDefinition,
  type ToolEntry,
} from "../tools/sub-agent/delegate-definition.ts";
import type { AgentSettings } from "./agent-settings.ts";
import type { ChildTool } from "./agent-tools.ts";
import { type ChildRunner, childFailureResult, childToolResult } from "./child-runs.ts";
import { runControl, type Step, type StepResult } from "./control-flow.ts";

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The delegate tool's settings, from `[tools.NAME]` of kind `delegate`. */
export interface DelegateSettings {
  name: string;
  description?: string;
  /** Tool entries (as in the agent's `tools` list) the sub-agent may get; default: all of the parent's. */
  allowed?: string[];
  maxTurns?: number;
  timeoutMs?: number;
}

/** The parent agent the sub-agents are carved from. */
export interface DelegateParent {
  settings: AgentSettings;
  /** The parent's tool entries with the name the model sees for each (`agent:x` → `agent_x`). */
  entries: readonly ToolEntry[];
}

type DelegateArgs = z.infer<ReturnType<typeof delegateParameters>>;

/**
 * `delegate`: the model creates ephemeral sub-agents for a goal with a subset of its own tools
 * (never `delegate` itself), clamped turns and time, optionally as a plan of steps run as
 * `sequence`, `parallel` or `fallback`. Like an `agent:NAME` sub-agent, each runs under what is
 * left of its parent's budget when it starts (the parent's own budget, `--budget-*` included),
 * and its calls go through the parent's pipeline: the parent's rate limits and breakers hold for
 * it, whatever turns or tools the model picks for it.
 */
export function delegateTool(parent: DelegateParent, settings: DelegateSettings): ChildTool {
  const maxTurns = settings.maxTurns ?? DEFAULT_DELEGATE_MAX_TURNS;
  const available = delegableEntries(parent.entries, settings.allowed);
  const definition = delegateToolDefinition(available, settings);
  const bind = (children: ChildRunner): Tool<DelegateArgs> => ({
    ...definition,
    async execute(args, ctx): Promise<ToolResult> {
      const unknown = (args.tools ?? []).filter((name) => !available.some((item) => item.visible === name));
      if (unknown.length > 0) {
        return {
          ok: false,
          output: "",
          error: `cannot give the sub-agent ${unknown.join(", ")}; available: ${available.map((i) => i.visible).join(", ")}`,
        };
      }
      const chosen = args.tools ? available.filter((item) => args.tools?.includes(item.visible)) : available;
      const own = parent.settings.config;
      const inline: AgentConfig = {
        ...own,
        description: "ephemeral sub-agent created by delegate",
        instructions: `You are a focused sub-agent. Achieve the goal you are given with your tools, then answer with the result only.${own.instructions ? `\n\nContext from the agent that delegated to you:\n${own.instructions}` : ""}`,
        instructions_file: undefined,
        output_schema: undefined,
        model: children.model,
        tools: chosen.map((item) => item.entry),
        max_turns: Math.min(args.max_turns ?? maxTurns, maxTurns),
      };
      const timeout = new AbortController();
      const timer = children.clock.setTimeout(
        () => timeout.abort(new RunStop("timeout")),
        settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      const signal = AbortSignal.any([ctx.signal, timeout.signal]);
      const spawn = async (goal: string, stepSignal: AbortSignal) => {
        const budgetCap = children.remaining();
        const outcome = await children.run(
          {
            agent: `${children.agent}.delegate`,
            task: goal,
            inline: { config: inline, pipeline: children.pipeline },
            callId: ctx.callId,
            ...(budgetCap ? { budgetCap } : {}),
          },
          stepSignal,
        );
        return { outcome, result: childToolResult("delegate", outcome, stepSignal) };
      };
      try {
        if (!args.plan) return (await spawn(args.goal, signal)).result;
        const steps: Step[] = args.plan.steps.map((goal, index) => ({
          name: `step ${index + 1}`,
          run: async (input, stepSignal): Promise<StepResult> => {
            const { outcome } = await spawn(`${input}\n\nYour step: ${goal}`, stepSignal);
            return {
              name: `step ${index + 1}`,
              ok: outcome.status === "ok",
              answer: outcome.answer,
              status: outcome.status,
              stopReason: outcome.stopReason,
              ...(outcome.error ? { error: outcome.error } : {}),
            };
          },
        }));
        const result = await runControl(args.plan.mode, "plan", steps, `Overall goal: ${args.goal}`, signal);
        return result.ok
          ? { ok: true, output: result.answer }
          : { ok: false, output: result.answer, error: result.error?.message ?? `plan ${result.stopReason}` };
      } catch (err) {
        return childFailureResult("delegate", err, signal);
      } finally {
        children.clock.clearTimeout(timer);
      }
    },
  });
  return { schema: toolSchemaOf(definition), bind };
}
