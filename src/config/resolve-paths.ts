import { isAbsolute, join, resolve } from "node:path";
import type { Config, SandboxConfig } from "./schema.ts";

/**
 * Makes a path from the configuration absolute: `~` is the home directory, relative paths are
 * relative to `dir` (the directory of the file that names them). Values holding `${VAR}` are
 * left as they are, to be resolved when used.
 */
export function resolveConfigPath(value: string, dir: string, home: string): string {
  if (value.includes("${")) return value;
  if (value === "~" || value.startsWith("~/")) return join(home, value.slice(1));
  return isAbsolute(value) ? value : resolve(dir, value);
}

/**
 * Rewrites, in place, every path-valued key of one file's configuration to an absolute path:
 * instructions_file, output_schema, providers.*.cassette, tools.*.root, tools.*.cwd, mcp.*.cwd, the
 * sandbox paths (`writable`, `deny_read`) of shell tools and MCP servers, audit.path and
 * defaults.state_dir.
 */
export function resolveConfigPaths(config: Config, dir: string, home: string): void {
  const fix = (value: string) => resolveConfigPath(value, dir, home);
  for (const agent of Object.values(config.agents ?? {})) {
    if (agent.instructions_file !== undefined) agent.instructions_file = fix(agent.instructions_file);
    if (agent.output_schema !== undefined) agent.output_schema = fix(agent.output_schema);
  }
  for (const provider of Object.values(config.providers ?? {})) {
    if (provider.cassette !== undefined) provider.cassette = fix(provider.cassette);
  }
  for (const tool of Object.values(config.tools ?? {})) {
    if (tool.kind === "file") tool.root = fix(tool.root);
    if (tool.kind !== "shell") continue;
    if (tool.cwd !== undefined) tool.cwd = fix(tool.cwd);
    fixSandboxPaths(tool, fix);
  }
  for (const server of Object.values(config.mcp ?? {})) {
    if (server.cwd !== undefined) server.cwd = fix(server.cwd);
    fixSandboxPaths(server, fix);
  }
  if (config.audit?.path !== undefined) config.audit.path = fix(config.audit.path);
  if (config.defaults?.state_dir !== undefined) config.defaults.state_dir = fix(config.defaults.state_dir);
}

function fixSandboxPaths(entry: SandboxConfig, fix: (value: string) => string): void {
  if (entry.writable !== undefined) entry.writable = entry.writable.map(fix);
  if (entry.deny_read !== undefined) entry.deny_read = entry.deny_read.map(fix);
}
