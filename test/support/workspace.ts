import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** A throwaway directory holding a config file, a state dir and whatever else a test writes. */
export interface Workspace {
  dir: string;
  stateDir: string;
  configPath: string;
  write(name: string, content: string): string;
  remove(): void;
}

/** Creates a workspace whose `agentry.toml` holds `config`. */
export function makeWorkspace(config: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "agentry-e2e-"));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  return {
    dir,
    stateDir: join(dir, "state"),
    configPath: write("agentry.toml", config),
    write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Every file runs left in the workspace (audit log, state, cassettes, spill files) but its
 * config, each as its path (relative to the workspace) and its text: where a test checks that a
 * value appears nowhere, file names included.
 */
export function workspaceFiles(workspace: Workspace): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path !== workspace.configPath)
        texts.push(`${relative(workspace.dir, path)}\n${readFileSync(path, "utf8")}`);
    }
  };
  walk(workspace.dir);
  return texts.join("\n");
}

/** Parses ndjson output, failing on any line that is not JSON. */
export function parseNdjson(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A `[providers.NAME]` table pointing an OpenAI-compatible provider at a mock, without retries. */
export function mockProviderToml(
  baseUrl: string,
  options: { name?: string; apiKeyVar?: string } = {},
): string {
  const key = options.apiKeyVar ? `api_key = "\${${options.apiKeyVar}}"\n` : "";
  return `[providers.${options.name ?? "mock"}]\nkind = "openai-compatible"\nbase_url = "${baseUrl}"\n${key}retries = 0\n`;
}

/**
 * The head of most test configs: `[defaults]` running `agent` on the mock's `gpt-4.1-mini` (with
 * `max_turns` when given), then the `[providers.mock]` table pointing at `baseUrl`.
 */
export function mockDefaultsToml(
  baseUrl: string,
  agent: string,
  options: { maxTurns?: number } = {},
): string {
  const maxTurns = options.maxTurns === undefined ? "" : `max_turns = ${options.maxTurns}\n`;
  return `[defaults]\nagent = "${agent}"\nmodel = "mock/gpt-4.1-mini"\n${maxTurns}\n${mockProviderToml(baseUrl)}`;
}

/** `[tools.sh]`: a shell tool that runs its command line with /bin/sh, only PATH passed through. */
export const SHELL_TOOL_TOML = `[tools.sh]
kind = "shell"
shell = true
env = ["PATH"]
`;
