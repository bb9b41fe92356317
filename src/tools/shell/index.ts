import { existsSync } from "node:fs";
import { delimiter, isAbsolute } from "node:path";
import { z } from "zod";
import { interpolate } from "../../config/interpolate.ts";
import type { ShellToolConfig } from "../../config/schema.ts";
import { passThroughSecrets } from "../../config/secret-values.ts";
import type { SandboxHost } from "../../sandbox/host.ts";
import { sandboxHostOf } from "../../sandbox/host.ts";
import { withReport } from "../../sandbox/network/network-report.ts";
import { createSandbox, type SandboxLaunch } from "../../sandbox/sandbox.ts";
import type { Tool, ToolResult } from "../../spec/tool.ts";
import { sandboxRefusal, toolError, toolRefusal } from "../tool-result.ts";
import { splitArgv } from "./command-line.ts";
import { compileCommandPolicy } from "./command-policy.ts";
import description from "./description.txt" with { type: "text" };
import { createExitGuard } from "./exit-guard.ts";
import { argumentMatcher } from "./match-arguments.ts";
import { type ProcessOutcome, runProcessTree } from "./process-tree.ts";
import { createProgramLookup } from "./program-names.ts";
import { resolveExecutable } from "./resolve-executable.ts";

/** Arguments the model passes to a shell tool. */
export const shellParameters = z.object({
  command: z.string().min(1).describe("The command line to run, e.g. `git log -n 5 --oneline`"),
});

/** Parsed shell tool arguments. */
export type ShellArgs = z.infer<typeof shellParameters>;

/** Construction options: the environment `${VAR}` and listed variables come from. */
export interface ShellToolOptions {
  env?: Record<string, string | undefined>;
  onSecrets?(values: string[]): void;
  /** SIGTERM→SIGKILL grace for the process tree; tests shorten it. */
  graceMs?: number;
  /** How descendants are tracked (`auto`: a cgroup where possible, else `/proc`); tests force `proc`. */
  tracking?: "auto" | "proc";
  /** Home and agentry's own files for the sandbox (default: from `env`). */
  sandboxHost?: SandboxHost;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 64 * 1024;

function childEnvironment(name: string, config: ShellToolConfig, options: ShellToolOptions) {
  const source = options.env ?? process.env;
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const key of config.env ?? []) {
    const value = source[key];
    if (value === undefined) continue;
    env[key] = value;
    secrets.push(...passThroughSecrets(key, value));
  }
  for (const [key, raw] of Object.entries(config.set_env ?? {})) {
    const resolved = interpolate(raw, `tools.${name}.set_env.${key}`, source);
    env[key] = resolved.value;
    secrets.push(...resolved.secrets);
  }
  if (secrets.length > 0) options.onSecrets?.(secrets);
  if (env["PATH"] !== undefined) env["PATH"] = absoluteEntries(env["PATH"]);
  return env;
}

/**
 * PATH with its empty and relative entries (`.`, `bin`) dropped: the child finds programs where
 * agentry judged them (`resolveExecutable` skips those entries too), so with `shell = true` the
 * shell's own lookup cannot run a file the model wrote into the working directory under the name
 * of an allowed program.
 */
function absoluteEntries(path: string): string {
  return path
    .split(delimiter)
    .filter((entry) => isAbsolute(entry))
    .join(delimiter);
}

function describeConfig(config: ShellToolConfig, timeoutMs: number): string {
  const lines = [config.shell ? "This tool runs the command through /bin/sh -c: shell syntax works." : ""];
  if (config.shell && (config.allow?.length || config.deny?.length)) {
    lines.push(
      "Because of its rules, only simple commands joined by ; && || | & or newlines are accepted: no if/for/while/case, { }, ( ), eval/exec/command, assignments, $VAR as a command name, $(…) or backticks, here-documents.",
    );
    if (config.allow?.length) lines.push("Redirections may only go to /dev/null (or 2>&1).");
  }
  if (config.allow?.length)
    lines.push(`Allowed commands (globs, * matches anything): ${config.allow.join(", ")}`);
  if (config.deny?.length) lines.push(`Denied commands: ${config.deny.join(", ")}`);
  if (config.cwd) lines.push(`Working directory: ${config.cwd}`);
  lines.push(`Time limit: ${Math.round(timeoutMs / 1000)} s.`);
  return lines.filter(Boolean).join("\n");
}

/**
 * Builds a shell tool from its config. `${VAR}` in `set_env` is resolved now (unset → ConfigError)
 * and reported through `onSecrets`. Commands run without a shell unless `shell = true`, with an
 * emptied environment, and their whole process tree dies with them.
 */
export function createShellTool(
  name: string,
  config: ShellToolConfig,
  options: ShellToolOptions = {},
): Tool<ShellArgs> {
  const env = childEnvironment(name, config, options);
  const shell = config.shell ?? false;
  const lookup = createProgramLookup(env["PATH"], config.cwd);
  const policy = compileCommandPolicy({ allow: config.allow, deny: config.deny, shell }, lookup);
  const exitGuard = createExitGuard();
  const timeoutMs = config.timeout ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = config.max_output ?? DEFAULT_MAX_OUTPUT;
  const preface = config.description ? `${config.description}\n\n` : "";
  const source = options.env ?? process.env;
  const sandbox = createSandbox(config, {
    cwd: config.cwd ?? process.cwd(),
    host: options.sandboxHost ?? sandboxHostOf(source),
    path: source["PATH"],
  });
  const about = sandbox ? `\n${sandbox.summary}` : "";

  return {
    name,
    description: `${preface}${description.trim()}\n\n${describeConfig(config, timeoutMs)}${about}`,
    parameters: shellParameters,
    readOnly: config.read_only ?? false,
    matchArguments: argumentMatcher(shell, lookup),
    async execute({ command }, ctx): Promise<ToolResult> {
      let argv = ["/bin/sh", "-c", command];
      if (!shell) {
        const split = splitArgv(command);
        if (!split.ok) return toolError(`cannot parse the command: ${split.error}`);
        argv = split.argv;
      }
      const refusal = policy.check(command);
      if (refusal) return toolRefusal(refusal, { argv });

      const program = argv[0] as string;
      const file = resolveExecutable(program, env["PATH"], config.cwd);
      if (!file) return toolError(`command not found: ${program}`, { argv });
      let launch: Omit<SandboxLaunch, "release"> = { file, args: argv.slice(1) };
      let release = async () => {};
      if (sandbox) {
        const prepared = await sandbox.prepare(file, argv.slice(1));
        if (!prepared.ok) return sandboxRefusal(name, prepared.reason, { argv });
        launch = prepared.launch;
        release = prepared.launch.release;
      }
      // A call whose signal aborted before it got here (it waited for a failure-limits slot or an
      // approval while its run was interrupted, or its turn cancelled) starts nothing: a process
      // spawned now would be killed at once, but not before a short command had done its work.
      if (ctx.signal.aborted) {
        await release();
        return toolError("cancelled before it started: nothing was run", { argv });
      }
      const started = performance.now();
      const outcome = await runProcessTree({
        file: launch.file,
        args: launch.args,
        ...(launch.statusFd !== undefined ? { statusFd: launch.statusFd } : {}),
        env,
        ...(config.cwd ? { cwd: config.cwd } : {}),
        timeoutMs,
        maxOutput,
        signal: ctx.signal,
        exitGuard,
        ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
        ...(options.tracking ? { tracking: options.tracking } : {}),
      }).finally(release);
      const result = resultOf(outcome, argv, launch.file, Math.round(performance.now() - started));
      const report = launch.network?.takeReport();
      return report ? withReport(result, report) : result;
    },
  };

  /**
   * The tool result of a finished launch: a sandbox that never started the command, or whose
   * launcher is gone, is a refusal.
   */
  function resultOf(
    outcome: ProcessOutcome,
    argv: string[],
    launched: string,
    durationMs: number,
  ): ToolResult {
    const program = argv[0] as string;
    const meta = {
      exit_code: outcome.exitCode,
      signal: outcome.signal,
      truncated_bytes: outcome.truncatedBytes,
      duration_ms: durationMs,
      argv,
      ...(outcome.pid !== undefined ? { pid: outcome.pid } : {}),
    };
    if (sandbox && outcome.spawnError && !existsSync(launched))
      return sandboxRefusal(name, outcome.spawnError, meta);
    if (outcome.spawnError) return toolError(`could not start ${program}: ${outcome.spawnError}`, meta);
    const setupFailed =
      sandbox && !outcome.timedOut && !outcome.aborted
        ? sandbox.setupFailure({
            status: outcome.status ?? "",
            exitCode: outcome.exitCode,
            output: outcome.output,
          })
        : undefined;
    if (setupFailed) return sandboxRefusal(name, setupFailed, meta);
    if (outcome.timedOut) {
      return toolError(
        `timed out after ${timeoutMs} ms; the command and its children were killed`,
        meta,
        outcome.output,
      );
    }
    if (outcome.aborted)
      return toolError("cancelled; the command and its children were killed", meta, outcome.output);
    if (outcome.exitCode === 0) return { ok: true, output: outcome.output, meta };
    const how =
      outcome.exitCode === null ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
    return toolError(`the command ${how}`, meta, outcome.output);
  }
}
