import { ambiguousServerName, parseMcpEntry } from "../mcp/entries.ts";
import { isHttpUrl } from "./check-providers.ts";
import { expectedName, type SemanticInput } from "./issue-report.ts";
import { suggest } from "./suggest.ts";

const STDIO_KEYS = ["args", "env", "set_env", "cwd"] as const;
const HTTP_KEYS = ["headers", "bearer_token_env", "oauth"] as const;

/**
 * Checks `[mcp.*]` servers and the `mcp:` entries of agents: each server has exactly one of
 * `command` (stdio) and `url` (streamable HTTP), no key of the other transport, an http(s) URL,
 * at most one of `bearer_token_env` and `oauth`; every `mcp:<server>` names a declared server; no
 * `[tools.*]` name takes the `mcp__` prefix of MCP tool names.
 */
export function checkMcp(input: SemanticInput): void {
  const { config, declared, report } = input;
  for (const [name, server] of Object.entries(config.mcp ?? {})) {
    const path = ["mcp", name];
    const ambiguous = ambiguousServerName(name);
    if (ambiguous)
      report(path, { message: `the MCP server name ${ambiguous}`, found: JSON.stringify(name) }, "key");
    if ((server.command === undefined) === (server.url === undefined)) {
      report(
        path,
        {
          message: "an MCP server needs exactly one of command (stdio) and url (streamable HTTP)",
          expected: "command or url",
          found: server.command === undefined ? "neither" : "both",
        },
        "key",
      );
      continue;
    }
    const foreign = server.command !== undefined ? HTTP_KEYS : STDIO_KEYS;
    for (const key of foreign) {
      if (server[key] !== undefined) {
        report(
          [...path, key],
          {
            message: `${key} applies only to ${server.command !== undefined ? "HTTP servers (url)" : "stdio servers (command)"}`,
          },
          "key",
        );
      }
    }
    if (server.url !== undefined && !server.url.includes("${") && !isHttpUrl(server.url)) {
      report([...path, "url"], {
        message: "invalid URL",
        expected: 'an http(s) URL such as "https://mcp.example.com/mcp"',
        found: JSON.stringify(server.url),
      });
    }
    if (server.bearer_token_env !== undefined && server.oauth !== undefined) {
      report([...path, "oauth"], { message: "bearer_token_env and oauth are mutually exclusive" }, "key");
    }
  }
  for (const name of Object.keys(config.tools ?? {})) {
    if (name.startsWith("mcp__")) {
      report(
        ["tools", name],
        { message: 'tool names starting with "mcp__" are reserved for the tools of [mcp.*] servers' },
        "key",
      );
    }
  }
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    agent.tools?.forEach((entry, i) => {
      const parsed = parseMcpEntry(entry);
      if (!parsed || declared.mcp.has(parsed.server)) return;
      const suggestion = suggest(parsed.server, declared.mcp);
      report(["agents", name, "tools", i], {
        message: `unknown MCP server "${parsed.server}"`,
        expected: expectedName("MCP server", declared.mcp),
        found: JSON.stringify(entry),
        ...(suggestion !== undefined ? { suggestion: `mcp:${suggestion}` } : {}),
      });
    });
  }
}
