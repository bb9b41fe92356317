import type { z } from "zod";
import type { ConfigIssue } from "../spec/errors.ts";
import { describeFound } from "./describe-value.ts";
import { referenceSyntaxError } from "./interpolate.ts";
import { NAMED_SECTIONS } from "./issue-report.ts";
import { formatKeyPath, isTable, type KeyPath } from "./key-path.ts";
import { reservedKeyPaths } from "./reserved-keys.ts";
import { type Config, configSchema } from "./schema.ts";
import type { SourceFile } from "./source-files.ts";
import { issuesFromZod } from "./zod-issues.ts";

/** Top-level keys an included file may hold; everything else belongs to the main file only. */
export const includedFileSchema = configSchema.pick({
  include: true,
  providers: true,
  tools: true,
  agents: true,
  flows: true,
  schedules: true,
});

const MAIN_ONLY = ["defaults", "audit", "limits", "queue", "pricing", "state", "telemetry"];

/**
 * Validates one file's shape and `${…}` syntax. Returns every issue and the valid part of the
 * file: when some entries are invalid, the others are still returned so that semantic checks can
 * run on them in the same pass (all problems are reported at once).
 */
export function validateFile(file: SourceFile): { config: Config; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const at = (path: KeyPath, prefer: "key" | "value") => ({
    file: file.display,
    path: formatKeyPath(path),
    ...file.locator.locate(path, prefer),
  });
  walkStrings(file.raw, [], (text, path) => {
    const reason = referenceSyntaxError(text);
    if (reason !== undefined) {
      issues.push({
        ...at(path, "value"),
        message: `invalid \${…} reference: ${reason}`,
        expected: `\${NAME} or \${NAME:-default}`,
        found: describeFound(text, path),
      });
    }
  });
  for (const path of reservedKeyPaths(file.raw)) {
    issues.push({
      ...at(path, "key"),
      message: `"${String(path.at(-1))}" is a reserved name in JavaScript and cannot be used as a key`,
      expected: "another name",
    });
  }
  let raw = file.raw;
  if (!file.main) {
    raw = { ...raw };
    for (const key of MAIN_ONLY) {
      if (!(key in raw)) continue;
      issues.push({
        ...at([key], "key"),
        message: `[${key}] may only be set in the main configuration file`,
        expected: `one of ${Object.keys(includedFileSchema.shape).join(", ")}`,
      });
      delete raw[key];
    }
  }
  const schema: z.ZodType<Config> = file.main ? configSchema : (includedFileSchema as z.ZodType<Config>);
  const result = schema.safeParse(raw, ONE_SHOT);
  if (result.success) return { config: result.data, issues };
  issues.push(
    ...issuesFromZod(result.error.issues, { file: file.display, raw, schema, locator: file.locator }),
  );
  return { config: salvage(raw, schema, result.error.issues), issues };
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

function walkStrings(value: unknown, path: KeyPath, visit: (text: string, path: KeyPath) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value))
    value.forEach((item, i) => {
      walkStrings(item, [...path, i], visit);
    });
  else if (isTable(value))
    for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
}
