import { jsonrepair } from "jsonrepair";
import type { ZodType, z } from "zod";

/** The outcome of parsing a model's tool arguments; `error` is written for the model to retry with. */
export type ParsedArguments<T> = { ok: true; args: T; repaired: boolean } | { ok: false; error: string };

function describeReceived(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "array";
  return typeof input;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const field = issue.path.length > 0 ? `argument "${issue.path.map(String).join(".")}"` : "arguments";
  let value: unknown = input;
  for (const key of issue.path) {
    value =
      value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined && issue.path.length > 0) {
        return `${field} is missing: expected ${issue.expected}`;
      }
      return `${field}: expected ${issue.expected}, received ${describeReceived(value)}`;
    case "invalid_value":
      return `${field}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, received ${JSON.stringify(value)}`;
    case "unrecognized_keys":
      return `${field}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/**
 * Whether JSON text ends inside a string or with an object or array still open: the model's
 * output was cut off, so whatever a repair would close it with is a guess.
 */
function isCutOff(text: string): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth += 1;
    else if (char === "}" || char === "]") depth -= 1;
  }
  return inString || depth > 0;
}

function parseJson(raw: string): { value: unknown; repaired: boolean } | { error: string } {
  const text = raw.trim();
  if (text === "") return { value: {}, repaired: false };
  try {
    return { value: JSON.parse(text), repaired: false };
  } catch (strictError) {
    if (isCutOff(text.replace(/^```(?:json)?\s*|\s*```$/g, ""))) {
      return {
        error:
          "the arguments are cut off (unterminated JSON), so nothing was run; send the call again with complete arguments",
      };
    }
    try {
      return { value: JSON.parse(jsonrepair(text)), repaired: true };
    } catch {
      const reason = strictError instanceof Error ? strictError.message : String(strictError);
      return { error: `the arguments are not valid JSON (${reason}); send a single JSON object` };
    }
  }
}

/**
 * Parses the raw argument text a model produced for a tool call (SPEC §8): strict `JSON.parse`,
 * then `jsonrepair` (code fences, single quotes, trailing commas, Python literals), then the
 * tool's zod schema. Cut-off text (an unterminated string, an unclosed object or array) is never
 * repaired: closing it would run a command the model never finished (issue 11 item 5). Empty text means `{}`. On failure the error names each offending
 * field, what was expected and what was received, so the model can retry with the right shape.
 */
export function parseToolArguments<T>(raw: string, schema: ZodType<T>): ParsedArguments<T> {
  const parsed = parseJson(raw);
  if ("error" in parsed) return { ok: false, error: parsed.error };
  if (parsed.value === null || typeof parsed.value !== "object" || Array.isArray(parsed.value)) {
    return {
      ok: false,
      error: `the arguments must be a JSON object, received ${describeReceived(parsed.value)}`,
    };
  }
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeIssue(issue, parsed.value));
    return { ok: false, error: `invalid arguments: ${problems.join("; ")}` };
  }
  return { ok: true, args: result.data, repaired: parsed.repaired };
}
