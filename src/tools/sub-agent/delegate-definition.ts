import { namedEntry } from "../../config/named-entry.ts";
import type { ToolConfig } from "../../config/schema.ts";
import { modelToolName } from "../../config/tool-patterns.ts";
import { lazySchema } from "../../lazy-zod/lazy-schema.ts";

/** Turns a delegated sub-agent may take when the delegate tool sets no `max_turns`. */
export const DEFAULT_DELEGATE_MAX_TURNS = 8;

/**
 * Parameters of a `delegate` tool. The runtime gives the model these and `agentry tools` lists
 * them, so the listing shows exactly what the model gets. Built on first use: most agents have no
 * delegate tool (start-up, docs/benchmarks/turns.md).
 */
export const delegateParameters = lazySchema((z) =>
  z.object({
    goal: z.string().min(1).describe("What the sub-agent must achieve, with all the context it needs"),
    tools: z
      .array(z.string())
      .optional()
      .describe("Names of your tools the sub-agent may use (default: all except delegate)"),
    max_turns: z.number().int().positive().optional().describe("Model turns the sub-agent may take"),
    plan: z
      .object({
        mode: z.enum(["sequence", "parallel", "fallback"]),
        steps: z.array(z.string().min(1)).min(1).describe("One sub-goal per step"),
      })
      .optional()
      .describe(
        "Split the goal into steps, each run by its own sub-agent: in sequence, in parallel, or as fallbacks",
      ),
  }),
);

/** One of an agent's tool entries with the name the model sees (`agent:x` → `agent_x`). */
export interface ToolEntry {
  entry: string;
  visible: string;
  isDelegate: boolean;
}

/** An agent's `tools` list as entries: the name the model sees each by, and which are delegate tools. */
export function toolEntries(
  configured: Readonly<Record<string, ToolConfig>>,
  tools: readonly string[],
): ToolEntry[] {
  return tools.map((entry) => ({
    entry,
    visible: modelToolName(entry),
    isDelegate: namedEntry(configured, entry)?.kind === "delegate",
  }));
}

/** The parent's entries a delegated sub-agent may get: never a delegate, only `allowed` ones when set. */
export function delegableEntries<T extends ToolEntry>(
  entries: readonly T[],
  allowed: readonly string[] | undefined,
): T[] {
  return entries.filter(
    (item) => !item.isDelegate && (allowed === undefined || allowed.includes(item.entry)),
  );
}

/**
 * What the model is given for a delegate tool (name, description, parameters, read-only flag),
 * the description naming the tools the sub-agents can use: the one definition behind both the
 * running tool and its row in `agentry tools AGENT`.
 */
export function delegateToolDefinition(
  available: readonly ToolEntry[],
  spec: { name: string; description?: string; maxTurns?: number },
) {
  return {
    name: spec.name,
    description:
      spec.description ??
      `Hand a self-contained goal to a focused sub-agent that works on its own and returns its answer. It can use: ${available.map((item) => item.visible).join(", ") || "no tools"}. At most ${spec.maxTurns ?? DEFAULT_DELEGATE_MAX_TURNS} turns each.`,
    parameters: delegateParameters(),
    readOnly: false,
  };
}
