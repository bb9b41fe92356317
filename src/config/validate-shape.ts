import type { z } from "zod";
import type { ConfigIssue } from "../spec/errors.ts";
import { NAMED_SECTIONS } from "./issue-report.ts";
import { isTable } from "./key-path.ts";
import { type Config, configSchema, includedFileSchema } from "./schema.ts";
import type { SourceFile } from "./source-files.ts";
import { issuesFromZod } from "./zod-issues.ts";

/**
 * Validates one file's shape with zod: what a configuration the precompiled check did not vouch
 * for goes through (src/config/precompiled), loaded on first use so that a valid configuration
 * never builds the zod schema. Returns every issue and the valid part of the file: when some
 * entries are invalid, the others are still returned so that semantic checks can run on them in
 * the same pass (all problems are reported at once).
 */
export function validateShape(
  raw: Record<string, unknown>,
  file: SourceFile,
): { config: Config; issues: ConfigIssue[] } {
  const schema: z.ZodType<Config> = file.main ? configSchema : (includedFileSchema as z.ZodType<Config>);
  const result = schema.safeParse(raw, ONE_SHOT);
  if (result.success) return { config: result.data, issues: [] };
  return {
    config: salvage(raw, schema, result.error.issues),
    issues: issuesFromZod(result.error.issues, { file: file.display, raw, schema, locator: file.locator }),
  };
}

/** A configuration is validated once: compiling zod's fast object parsers would cost more than it saves. */
const ONE_SHOT = { jitless: true } as const;

function salvage(
  raw: Record<string, unknown>,
  schema: z.ZodType<Config>,
  issues: readonly z.core.$ZodIssue[],
): Config {
  const pruned = prune(raw, issues);
  const first = schema.safeParse(pruned);
  if (first.success) return first.data;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pruned)) {
    if ((NAMED_SECTIONS as readonly string[]).includes(key) && isTable(value)) {
      const entries: Record<string, unknown> = {};
      for (const [name, entry] of Object.entries(value)) {
        if (schema.safeParse({ [key]: { [name]: entry } }).success) entries[name] = entry;
      }
      kept[key] = entries;
    } else if (schema.safeParse({ [key]: value }).success) kept[key] = value;
  }
  const result = schema.safeParse(kept);
  return result.success ? result.data : {};
}

/** A copy of `raw` without the keys (of an entry, or of a main-file table) that have issues. */
function prune(raw: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    copy[key] = isTable(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isTable(v) ? { ...v } : v]))
      : value;
  }
  const drop = (path: readonly PropertyKey[]) => {
    const depth = (NAMED_SECTIONS as readonly unknown[]).includes(path[0]) ? 3 : 2;
    const target = path.slice(0, depth);
    const parent = target
      .slice(0, -1)
      .reduce<unknown>((v, s) => (isTable(v) ? v[String(s)] : undefined), copy);
    if (isTable(parent)) delete parent[String(target[target.length - 1])];
  };
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") for (const key of issue.keys) drop([...issue.path, key]);
    else drop(issue.path);
  }
  return copy;
}
