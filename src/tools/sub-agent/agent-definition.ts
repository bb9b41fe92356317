import { namedEntry } from "../../config/named-entry.ts";
import type { Config } from "../../config/schema.ts";
import { lazySchema } from "../../lazy-zod/lazy-schema.ts";

/**
 * Parameters of an `agent:NAME` tool (offered as `agent_NAME`) and of a `kind = "agent"` tool:
 * `{ task }` (SPEC §12). The runtime gives the model these and `agentry tools` lists them, so the
 * listing shows exactly what the model gets. Built on first use: most agents have no such tool.
 */
export const agentTaskParameters = lazySchema((z) =>
  z.object({
    task: z.string().min(1).describe("What the sub-agent should do, with all the context it needs"),
  }),
);

/** Which agent a sub-agent tool runs, the name the model calls it by, and a configured description. */
export interface AgentToolSpec {
  child: string;
  toolName: string;
  description?: string;
}

/**
 * What the model is given for a sub-agent tool (name, description, parameters, read-only flag):
 * the one definition behind both the running tool and its row in `agentry tools`.
 */
export function agentToolDefinition(config: Config, spec: AgentToolSpec) {
  const childConfig = namedEntry(config.agents, spec.child);
  return {
    name: spec.toolName,
    description:
      spec.description ??
      `Delegate a task to the "${spec.child}" agent${childConfig?.description ? `: ${childConfig.description}` : ""}. It works on its own and returns its final answer.`,
    parameters: agentTaskParameters(),
    readOnly: false,
  };
}
