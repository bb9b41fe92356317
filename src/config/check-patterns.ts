import { globError } from "./glob-syntax.ts";
import { expectedName, type Report, type SemanticInput } from "./issue-report.ts";
import type { KeyPath } from "./key-path.ts";
import type { PolicyConfig } from "./schema.ts";
import { suggest } from "./suggest.ts";
import { splitApprovalPattern } from "./tool-patterns.ts";

const HOST = /^(\*\.)?[A-Za-z0-9_.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Checks patterns: shell allow/deny globs, http allow_hosts, approval tool names and
 * `tool:argglob` patterns (the tool must be declared, `agent:NAME` included), and redaction
 * regular expressions, in defaults and in every agent's policy.
 */
export function checkPatterns({ config, declared, report }: SemanticInput): void {
  for (const [name, tool] of Object.entries(config.tools ?? {})) {
    if (tool.kind === "shell") {
      for (const key of ["allow", "deny"] as const) {
        tool[key]?.forEach((pattern, i) => {
          checkGlob(report, ["tools", name, key, i], pattern);
        });
      }
    }
    if (tool.kind === "http") {
      tool.allow_hosts?.forEach((host, i) => {
        if (!HOST.test(host)) {
          report(["tools", name, "allow_hosts", i], {
            message: "invalid host",
            expected: 'a host name such as "api.github.com" or "*.example.com", without scheme or path',
            found: JSON.stringify(host),
          });
        }
      });
    }
  }
  const toolNames = new Set(["*", ...declared.tools, ...[...declared.agents].map((a) => `agent:${a}`)]);
  const known = (tool: string) => toolNames.has(tool) || isMcpToolPattern(tool, declared.mcp);
  if (config.defaults?.policy)
    checkPolicy(report, ["defaults", "policy"], config.defaults.policy, toolNames, known);
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    if (agent.policy) checkPolicy(report, ["agents", name, "policy"], agent.policy, toolNames, known);
  }
  for (const [name, server] of Object.entries(config.mcp ?? {})) {
    if (server.policy) checkPolicy(report, ["mcp", name, "policy"], server.policy, toolNames, known);
  }
}

function checkGlob(report: Report, path: KeyPath, pattern: string): void {
  const reason = globError(pattern);
  if (reason !== undefined) {
    report(path, {
      message: `invalid glob: ${reason}`,
      expected: "a valid glob pattern",
      found: JSON.stringify(pattern),
    });
  }
}

/**
 * Whether an approval pattern names tools of a declared MCP server (`mcp__<server>__<tool-glob>`)
 * or of every server (`mcp__*`); the servers' tool lists are only known at run time.
 */
function isMcpToolPattern(tool: string, servers: ReadonlySet<string>): boolean {
  if (!tool.startsWith("mcp__")) return false;
  const rest = tool.slice("mcp__".length);
  if (rest.startsWith("*")) return true;
  for (const server of servers) if (rest.startsWith(`${server}__`) || rest === `${server}*`) return true;
  return false;
}

function checkPolicy(
  report: Report,
  base: KeyPath,
  policy: PolicyConfig,
  toolNames: Set<string>,
  known: (tool: string) => boolean,
): void {
  const checkTool = (path: KeyPath, tool: string) => {
    if (known(tool)) return true;
    const suggestion = suggest(tool, toolNames);
    report(path, {
      message: `unknown tool "${tool}" in approval pattern`,
      expected: expectedName(
        "tool",
        [...toolNames].filter((t) => t !== "*"),
      ),
      found: JSON.stringify(tool),
      ...(suggestion !== undefined ? { suggestion } : {}),
    });
    return false;
  };
  const approval = policy.approval;
  approval?.tools?.forEach((tool, i) => {
    checkTool([...base, "approval", "tools", i], tool);
  });
  for (const key of ["except", "deny"] as const) {
    approval?.[key]?.forEach((pattern, i) => {
      const path = [...base, "approval", key, i];
      const { tool, args } = splitApprovalPattern(pattern);
      if (tool === "") {
        report(path, {
          message: "invalid approval pattern",
          expected: 'a tool name, or "tool:argument-glob" such as "sh:git status*"',
          found: JSON.stringify(pattern),
        });
        return;
      }
      if (checkTool(path, tool) && args !== undefined) checkGlob(report, path, args);
    });
  }
  policy.redact?.patterns?.forEach((pattern, i) => {
    try {
      new RegExp(pattern);
    } catch (err) {
      const reason =
        err instanceof Error ? err.message.replace(/^Invalid regular expression: /, "") : String(err);
      report([...base, "redact", "patterns", i], {
        message: "invalid regular expression",
        expected: "a JavaScript regular expression",
        found: `${JSON.stringify(pattern)} (${reason})`,
      });
    }
  });
}
