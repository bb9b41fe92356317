import type { ConfigIssue } from "../spec/errors.ts";
import type { KeyPath } from "./key-path.ts";
import type { Config } from "./schema.ts";

/** The named sections whose entries may come from any file of a configuration. */
export const NAMED_SECTIONS = ["providers", "tools", "mcp", "agents", "flows", "schedules"] as const;

/** One of `NAMED_SECTIONS`. */
export type NamedSection = (typeof NAMED_SECTIONS)[number];

/** The words of an issue; where it is (file, line, column, key path) is added by the reporter. */
export type IssueFields = Omit<ConfigIssue, "file" | "path" | "line" | "column">;

/**
 * Records a semantic issue at a key path of the merged configuration. The reporter finds the
 * file that defines that path and the line and column there; `prefer` picks the key or its value.
 */
export type Report = (path: KeyPath, fields: IssueFields, prefer?: "key" | "value") => void;

/** What semantic checks see: the validated, merged configuration and every declared name. */
export interface SemanticInput {
  config: Config;
  /**
   * Names declared in each section by any file, including entries whose shape is invalid, so
   * a reference to a broken entry is not also reported as dangling.
   */
  declared: Record<NamedSection, Set<string>>;
  report: Report;
  /** How a file path appears in messages (relative to the working directory when inside it). */
  show: (path: string) => string;
}

/** `one of "a", "b"` for the expected side of an unknown-name issue, or a hint when none exist. */
export function expectedName(kind: string, names: Iterable<string>): string {
  const list = [...names];
  if (list.length === 0) return `a declared ${kind} (none are declared)`;
  return `a declared ${kind}: ${list.map((name) => JSON.stringify(name)).join(", ")}`;
}
