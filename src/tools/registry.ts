import type { z } from "zod";
import type { ToolConfig } from "../config/schema.ts";
import { zod } from "../lazy-zod/index.ts";
import type { SandboxHost } from "../sandbox/host.ts";
import { ConfigError } from "../spec/errors.ts";
import type { JsonSchema, ToolSchema } from "../spec/model.ts";
import type { Tool } from "../spec/tool.ts";

/** Where `${VAR}` references come from, and who must learn the secret values they resolve to. */
export interface BuiltinToolOptions {
  env?: Record<string, string | undefined>;
  /** Receives every value interpolated into headers or `set_env`; the redactor hides them everywhere. */
  onSecrets?(values: string[]): void;
  /** What a shell tool's sandbox hides and protects (default: derived from `env`). */
  sandboxHost?: SandboxHost;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

type BuiltinKind = "shell" | "http" | "file";
type Factory = (name: string, config: ToolConfig, options: BuiltinToolOptions) => Tool;

/**
 * Each built-in kind's module, imported only when a configuration uses that kind (start-up and
 * memory). The module loader caches each import, so this module keeps no state of its own.
 */
const FACTORIES: Record<BuiltinKind, () => Promise<Factory>> = {
  shell: async () => {
    const { createShellTool } = await import("./shell/index.ts");
    return (name, config, options) =>
      createShellTool(name, config as Parameters<typeof createShellTool>[1], options) as Tool;
  },
  http: async () => {
    const { createHttpTool } = await import("./http/index.ts");
    return (name, config, options) =>
      createHttpTool(name, config as Parameters<typeof createHttpTool>[1], options) as Tool;
  },
  file: async () => {
    const { createFileTool } = await import("./file/index.ts");
    return (name, config) => createFileTool(name, config as Parameters<typeof createFileTool>[1]) as Tool;
  },
};
/**
 * Builds a shell, http or file tool from its config entry, named as in the config, importing its
 * kind's code on first use. Returns undefined for `agent` and `delegate`, which the agent layer
 * builds. Rejects with ConfigError for an invalid name, an unset `${VAR}` or a file root
 * that does not exist.
 */
export async function createBuiltinTool(
  name: string,
  config: ToolConfig,
  options: BuiltinToolOptions = {},
): Promise<Tool | undefined> {
  if (!TOOL_NAME.test(name)) {
    throw new ConfigError(
      [
        {
          file: "configuration",
          path: `tools.${name}`,
          message: "tool names must match ^[a-zA-Z0-9_-]{1,64}$",
        },
      ],
      `invalid tool name ${JSON.stringify(name)}`,
    );
  }
  switch (config.kind) {
    case "shell":
    case "http":
    case "file": {
      const factory = await FACTORIES[config.kind]();
      return factory(name, config, options);
    }
    case "agent":
    case "delegate":
      return undefined;
  }
}

function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "propertyNames" && JSON.stringify(value) === '{"type":"string"}') continue;
    if ((key === "maximum" || key === "minimum") && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER)
      continue;
    out[key] = tidy(value);
  }
  return out;
}

/**
 * The JSON Schema a zod parameter schema shows the model (zod 4 `toJSONSchema`, input side, without
 * `$schema`, trivial `propertyNames` and the ±2^53 integer bounds that only add noise). Throws unless it describes an object, which every provider requires.
 */
export function parametersJsonSchema(parameters: z.ZodType): JsonSchema {
  const raw = zod().z.toJSONSchema(parameters, { io: "input", unrepresentable: "any" });
  const { $schema: _dropped, ...schema } = tidy(raw) as JsonSchema;
  if (schema["type"] !== "object") {
    throw new TypeError("tool parameters must be a zod object schema");
  }
  return schema;
}

/** What the model sees of a tool: its name, description and parameters as JSON Schema. */
export function toolSchemaOf(
  tool: Pick<Tool, "name" | "description" | "parameters" | "inputSchema">,
): ToolSchema {
  return {
    name: tool.name,
    description: tool.description,
    parameters: tool.inputSchema ?? parametersJsonSchema(tool.parameters),
  };
}
