import type { JsonSchema } from "../../spec/model.ts";

/**
 * The JSON Schema of `fileParameters` as the model sees it, written out once instead of derived
 * with zod's `toJSONSchema` when every agent is assembled (≈ 1 ms of CPU before `agentry run`'s
 * first request, docs/benchmarks/turns.md). Arguments are still validated by `fileParameters`;
 * test/tools/file-tool.test.ts pins this text to what `parametersJsonSchema(fileParameters)` gives.
 */
export const FILE_PARAMETERS_JSON: JsonSchema = {
  type: "object",
  properties: {
    op: { type: "string", enum: ["read", "list", "search", "write"], description: "The operation" },
    path: { type: "string", description: 'Path relative to the root; "." is the root itself' },
    content: { description: "write: the complete new file content", type: "string" },
    pattern: { description: "search: a substring, or /regex/flags", type: "string", minLength: 1 },
    offset: { description: "read: first line, 1-based", type: "integer", minimum: 1 },
    byte_offset: {
      description: "read: start at this byte instead of a line (to continue a line too long to read at once)",
      type: "integer",
      minimum: 0,
    },
    limit: { description: "read: number of lines; search: maximum matches", type: "integer", minimum: 1 },
  },
  required: ["op", "path"],
};
