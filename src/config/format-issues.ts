import type { ConfigIssue } from "../spec/errors.ts";

/**
 * Renders configuration issues for humans, one block per issue:
 * `file:line:col: key.path: message` then `expected …, found …` and `did you mean …?`.
 */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  const lines = [`error: configuration has ${issues.length} problem${issues.length === 1 ? "" : "s"}`];
  for (const issue of issues) {
    const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(":");
    lines.push(`  ${where}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`);
    if (issue.expected !== undefined || issue.found !== undefined) {
      const parts = [];
      if (issue.expected !== undefined) parts.push(`expected ${issue.expected}`);
      if (issue.found !== undefined) parts.push(`found ${issue.found}`);
      lines.push(`    ${parts.join(", ")}`);
    }
    if (issue.suggestion !== undefined) lines.push(`    did you mean "${issue.suggestion}"?`);
  }
  return lines.join("\n");
}
