import type { JsonSchema } from "../../spec/model.ts";

const KEPT = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Restricts a JSON Schema to the OpenAPI 3.0 subset Gemini's `functionDeclarations` accept:
 * drops `$schema`, `additionalProperties`, `$ref`, `const`… (keeping `const` as a one-value
 * enum), turns `type: ["string", "null"]` into `nullable`, `oneOf` into `anyOf`, and keeps
 * only string enums. Recurses into properties, items and anyOf.
 */
export function toGeminiSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  const source: JsonSchema = { ...schema };
  if (source.oneOf !== undefined && source.anyOf === undefined) source.anyOf = source.oneOf;
  if (source.const !== undefined && source.enum === undefined) source.enum = [source.const];
  for (const [key, value] of Object.entries(source)) {
    if (!KEPT.has(key)) continue;
    if (key === "type" && Array.isArray(value)) {
      const types = value.filter((t) => t !== "null");
      if (types.length !== value.length) out.nullable = true;
      if (types[0] !== undefined) out.type = types[0];
    } else if (key === "properties" && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, isObject(sub) ? toGeminiSchema(sub) : {}]),
      );
    } else if (key === "items" && isObject(value)) {
      out.items = toGeminiSchema(value);
    } else if (key === "anyOf" && Array.isArray(value)) {
      out.anyOf = value.filter(isObject).map(toGeminiSchema);
    } else if (key === "enum" && Array.isArray(value)) {
      if (value.every((v) => typeof v === "string")) out.enum = value;
    } else {
      out[key] = value;
    }
  }
  if (out.enum !== undefined && out.type === undefined) out.type = "string";
  return out;
}
