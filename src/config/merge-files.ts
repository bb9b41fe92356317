import type { ConfigIssue } from "../spec/errors.ts";
import { NAMED_SECTIONS, type NamedSection } from "./issue-report.ts";
import { formatKeyPath, isTable } from "./key-path.ts";
import type { Config } from "./schema.ts";
import type { SourceFile } from "./source-files.ts";

const SINGULAR: Record<NamedSection, string> = {
  providers: "provider",
  tools: "tool",
  mcp: "MCP server",
  agents: "agent",
  flows: "flow",
  schedules: "schedule",
};

/** The merged configuration, where each named entry came from, and every declared name. */
export interface Merged {
  config: Config;
  /** `section.name` → the file that defines it (first definition wins). */
  origins: Map<string, SourceFile>;
  declared: Record<NamedSection, Set<string>>;
  issues: ConfigIssue[];
}

/** The origin key of a named entry. */
export function originKey(section: string, name: string): string {
  return `${section}\0${name}`;
}

/**
 * Merges the valid parts of every file: the main file's own settings, and the named entries of
 * all files. A name defined twice (in one section, across files) is an issue at the second
 * definition that names the first one's file, line and column. Each merged section is a
 * null-prototype table, so a name such as `toString` or `constructor` finds only a declared entry.
 */
export function mergeFiles(parts: readonly { file: SourceFile; config: Config }[]): Merged {
  const main = parts.find((part) => part.file.main);
  const config: Config = { ...(main?.config ?? {}) };
  const origins = new Map<string, SourceFile>();
  const issues: ConfigIssue[] = [];
  const declared = Object.fromEntries(
    NAMED_SECTIONS.map((s) => [s, new Set<string>()]),
  ) as Merged["declared"];
  for (const section of NAMED_SECTIONS) {
    const merged: Record<string, unknown> = Object.create(null);
    for (const { file, config: part } of parts) {
      const rawSection = file.raw[section];
      if (!isTable(rawSection)) continue;
      for (const name of Object.keys(rawSection)) {
        if (name === "__proto__") continue;
        const key = originKey(section, name);
        const first = origins.get(key);
        if (first) {
          const position = file.locator.locate([section, name], "key");
          const firstPosition = first.locator.locate([section, name], "key");
          const firstAt = [first.display, firstPosition?.line, firstPosition?.column]
            .filter((p) => p !== undefined)
            .join(":");
          issues.push({
            file: file.display,
            ...position,
            path: formatKeyPath([section, name]),
            message: `duplicate ${SINGULAR[section]} "${name}": already defined at ${firstAt}`,
            expected: "each name defined once across all files",
          });
          continue;
        }
        origins.set(key, file);
        declared[section].add(name);
        const entry = (part[section] as Record<string, unknown> | undefined)?.[name];
        if (entry !== undefined) merged[name] = entry;
      }
    }
    if (Object.keys(merged).length > 0) (config as Record<string, unknown>)[section] = merged;
    else delete (config as Record<string, unknown>)[section];
  }
  return { config, origins, declared, issues };
}
