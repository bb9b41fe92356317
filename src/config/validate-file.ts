import type { ConfigIssue } from "../spec/errors.ts";
import { describeFound } from "./describe-value.ts";
import { referenceSyntaxError } from "./interpolate.ts";
import { formatKeyPath, isTable, type KeyPath } from "./key-path.ts";
import { INCLUDED_FILE_KEYS, precheckedConfig } from "./precompiled/index.ts";
import { reservedKeyPaths } from "./reserved-keys.ts";
import type { Config } from "./schema.ts";
import type { SourceFile } from "./source-files.ts";

const MAIN_ONLY = ["defaults", "audit", "limits", "queue", "pricing", "state", "telemetry"];

/**
 * Validates one file's shape and `${…}` syntax. Returns every issue and the valid part of the
 * file: when some entries are invalid, the others are still returned so that semantic checks can
 * run on them in the same pass (all problems are reported at once). The shape is checked by the
 * precompiled check first; zod runs only for a file it does not vouch for (`validateShape`).
 */
export async function validateFile(file: SourceFile): Promise<{ config: Config; issues: ConfigIssue[] }> {
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
        expected: `one of ${INCLUDED_FILE_KEYS.join(", ")}`,
      });
      delete raw[key];
    }
  }
  const prechecked = issues.length === 0 ? precheckedConfig(raw, file.main) : undefined;
  if (prechecked) return { config: prechecked, issues };
  const { validateShape } = await import("./validate-shape.ts");
  const shape = validateShape(raw, file);
  return { config: shape.config, issues: [...issues, ...shape.issues] };
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
