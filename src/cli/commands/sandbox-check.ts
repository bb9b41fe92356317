import { loadConfig } from "../../config/loader.ts";
import type { SandboxConfig } from "../../config/schema.ts";
import { suggest } from "../../config/suggest.ts";
import { selfCommand } from "../../process/self-command.ts";
import { type CheckLine, checkSandbox } from "../../sandbox/check/check-sandbox.ts";
import { sandboxHostForConfig } from "../../sandbox/host.ts";
import { createSandbox } from "../../sandbox/sandbox.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { findConfigPath } from "../config-path.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

/** A shell tool or stdio MCP server whose sandbox can be checked. */
interface Entry {
  name: string;
  label: string;
  config: SandboxConfig;
  cwd: string | undefined;
}

const MARK: Record<CheckLine["state"], string> = { ok: "ok  ", fail: "FAIL", info: "info" };

/**
 * `agentry sandbox check [TOOL]`: for every sandboxed shell tool and stdio MCP server (or only the
 * one named), proves on this host, from inside its sandbox, that a forbidden write, a denied read
 * and a direct network connection fail (see `checkSandbox`), and prints what holds. Exit 0 when
 * every configured protection holds, 1 when one does not (or a sandbox cannot start at all), 2
 * for an unknown or unsandboxed TOOL.
 */
export default async function sandboxCheckCommand(
  tool: string | undefined,
  options: CommonOptions,
): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const loaded = await loadConfig(findConfigPath(options.config, cwd), { cwd });
  const entries = sandboxEntries(loaded.config);
  const chosen = tool === undefined ? entries : [pick(entries, tool)];
  const sandboxed = chosen.filter((entry) => (entry.config.sandbox ?? "off") !== "off");
  if (sandboxed.length === 0) {
    writeAnswer(
      'no shell tool or stdio MCP server has a sandbox (sandbox = "read-only" or "workspace-write")\n',
    );
    return ExitCode.ok;
  }
  const env = process.env;
  const host = sandboxHostForConfig(loaded, env, resolveStateDir(loaded.config.defaults?.state_dir, env));
  const self = selfCommand() ?? [];
  let failed = false;
  for (const entry of sandboxed) {
    const sandbox = createSandbox(entry.config, { cwd: entry.cwd ?? cwd, host, path: env["PATH"] });
    if (!sandbox) continue;
    writeAnswer(`${entry.label}: ${sandbox.summary}\n`);
    for (const line of await checkSandbox({ sandbox, host, self })) {
      failed ||= line.state === "fail";
      writeAnswer(`  ${MARK[line.state]}  ${line.text}\n`);
    }
  }
  writeAnswer(failed ? "a configured protection does not hold\n" : "every configured protection holds\n");
  return failed ? ExitCode.agentFailed : ExitCode.ok;
}

function sandboxEntries(config: Awaited<ReturnType<typeof loadConfig>>["config"]): Entry[] {
  const entries: Entry[] = [];
  for (const [name, tool] of Object.entries(config.tools ?? {})) {
    if (tool.kind === "shell") entries.push({ name, label: `tool ${name}`, config: tool, cwd: tool.cwd });
  }
  for (const [name, server] of Object.entries(config.mcp ?? {})) {
    if (server.command !== undefined && server.enabled !== false) {
      entries.push({ name: `mcp:${name}`, label: `mcp server ${name}`, config: server, cwd: server.cwd });
    }
  }
  return entries;
}

function pick(entries: readonly Entry[], wanted: string): Entry {
  const entry = entries.find((candidate) => candidate.name === wanted || candidate.name === `mcp:${wanted}`);
  if (!entry) {
    const names = entries.map((candidate) => candidate.name);
    const guess = suggest(wanted, names);
    throw new UsageError(`no shell tool or stdio MCP server named "${wanted}"`, {
      hint: guess ? `did you mean "${guess}"?` : `one of: ${names.join(", ") || "(none configured)"}`,
    });
  }
  if ((entry.config.sandbox ?? "off") === "off") {
    throw new UsageError(`${entry.label} has no sandbox`, {
      hint: 'set sandbox = "read-only" or "workspace-write"',
    });
  }
  return entry;
}
