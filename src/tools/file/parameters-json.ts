import type { JsonSchema } from "../../spec/model.ts";

/** The operations every file tool has; `write` exists only where the tool allows writing. */
const READ_OPS = ["read", "list", "search"] as const;

/**
 * The JSON Schema of `fileParameters` as the model sees it, written out once instead of derived
 * with zod's `toJSONSchema` when every agent is assembled (≈ 1 ms of CPU before `agentry run`'s
 * first request, docs/benchmarks/turns.md). Arguments are still validated by `fileParameters`;
 * test/tools/file-tool.test.ts pins this text to what `parametersJsonSchema(fileParameters)` gives.
 */
export const FILE_PARAMETERS_JSON: JsonSchema = {
  type: "object",
  properties: {
    op: { type: "string", enum: [...READ_OPS, "write"], description: "The operation" },
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

/**
 * What a read-only file tool shows the model: FILE_PARAMETERS_JSON without the `write` operation
 * and its `content`, so the model is not offered what the tool refuses (and is not billed for the
 * words on every request). Arguments are still validated by `fileParameters`: a `write` sent anyway
 * gets the read-only refusal.
 */
export const FILE_READ_ONLY_PARAMETERS_JSON: JsonSchema = withoutWrite(FILE_PARAMETERS_JSON);

function withoutWrite(schema: JsonSchema): JsonSchema {
  const { content: _content, op, ...properties } = schema["properties"] as Record<string, JsonSchema>;
  return { ...schema, properties: { op: { ...op, enum: [...READ_OPS] }, ...properties } };
}
