import { readFileSync } from "node:fs";
import { jsonrepair } from "jsonrepair";
import type { z } from "zod";
import type { AnswerCheck } from "../agent/loop.ts";
import { zod } from "../lazy-zod/index.ts";
import { UsageError } from "../spec/errors.ts";

/**
 * Builds the final-answer check for `output_schema` / `--output-schema` from a JSON Schema file.
 * The answer is parsed leniently (fences, trailing commas) and validated; the message tells the
 * model what to fix.
 */
export function loadAnswerCheck(path: string): AnswerCheck {
  let schema: z.ZodType;
  try {
    schema = zod().z.fromJSONSchema(JSON.parse(readFileSync(path, "utf8")));
  } catch (err) {
    throw new UsageError(`cannot use output schema ${path}: ${(err as Error).message}`, {
      hint: "pass a JSON Schema file (draft 2020-12) with --output-schema or output_schema",
    });
  }
  return (answer) => {
    const value = parseLenient(answer);
    if (value === undefined) return { ok: false, error: "the answer is not JSON" };
    const result = schema.safeParse(value);
    if (result.success) return { ok: true };
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    return { ok: false, error: issues.join("; ") };
  };
}

function parseLenient(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    try {
      return JSON.parse(jsonrepair(trimmed));
    } catch {
      return undefined;
    }
  }
}
