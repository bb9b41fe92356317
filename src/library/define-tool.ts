import type { output, ZodType } from "zod";
import { UsageError } from "../spec/errors.ts";
import type { Tool, ToolContext, ToolResult } from "../spec/tool.ts";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** What a host writes to define a tool in code. */
export interface ToolDefinition<Schema extends ZodType> {
  /** The name agents list in `tools = [...]` and the model calls: `^[a-zA-Z0-9_-]{1,64}$`. */
  name: string;
  /** What the model reads to decide when and how to call the tool. */
  description: string;
  /**
   * A zod (v4) schema of the arguments. The model sees it as JSON Schema; arguments are parsed
   * leniently and validated against it before `execute`, so `execute` receives trusted values.
   */
  parameters: Schema;
  /** Whether the tool only reads (runs without approval in `mode = "readonly"`). Default false. */
  readOnly?: boolean;
  /**
   * Does the work. Return a string (the output the model sees) or a full `ToolResult`
   * (`{ ok: false, output: "", error }` to report a failure the model can act on). A thrown error
   * becomes a tool error too. Honour `ctx.signal`: it aborts on timeout, cancellation and Ctrl-C.
   */
  execute(args: output<Schema>, ctx: ToolContext): Promise<ToolResult | string> | ToolResult | string;
}

/**
 * Turns a definition into a `Tool` for `createRuntime(loaded, { tools })`. Every call still goes
 * through the agent's governance pipeline (approval, redaction, timeout, audit, …).
 * Throws `UsageError` for a name the providers would refuse or an empty description.
 */
export function defineTool<Schema extends ZodType>(definition: ToolDefinition<Schema>): Tool<output<Schema>> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new UsageError(`tool name ${JSON.stringify(definition.name)} must match ^[a-zA-Z0-9_-]{1,64}$`, {
      tool: definition.name,
    });
  }
  if (definition.description.trim() === "") {
    throw new UsageError(`tool "${definition.name}" needs a description the model can read`, {
      tool: definition.name,
    });
  }
  const run = definition.execute;
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters as ZodType<output<Schema>>,
    readOnly: definition.readOnly ?? false,
    async execute(args, ctx) {
      const outcome = await run(args, ctx);
      return typeof outcome === "string" ? { ok: true, output: outcome } : outcome;
    },
  };
}
