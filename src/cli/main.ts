import { Command, CommanderError, Option } from "commander";
import { ExitCode, type ExitCodeValue } from "../spec/exit-codes.ts";
import { buildInfo } from "./build-info.ts";
import { addExamplesAndExitCodes } from "./help-text.ts";
import { stdoutStream } from "./output.ts";
import { declareOnly } from "./program-subset.ts";
import { RUN_OPTIONS, type RunOptionScope, runOptionDefault } from "./run-option-table.ts";
import { settleCommand, verboseIn } from "./settle-command.ts";

/** Options every subcommand accepts. */
export interface CommonOptions {
  config?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** Options of `run` (and of `batch`, `resume`, `schedule` where they apply). */
export interface RunOptions extends CommonOptions {
  output: "text" | "json" | "ndjson";
  model?: string;
  maxTurns?: string;
  timeout?: string;
  budgetUsd?: string;
  budgetTokens?: string;
  session?: string;
  ephemeral?: boolean;
  record?: string;
  replay?: string;
  approve?: "ask" | "deny" | "defer" | "auto";
  outputSchema?: string;
  var: string[];
  concurrency?: string;
  failOnRefusal?: boolean;
  /** `--max-budget-usd`, an alias of `--budget-usd`. */
  maxBudgetUsd?: string;
  /** `--tools file,shell`: built-in tools of zero-config mode. */
  tools?: string[];
  /** Run-only flags (issue 15). */
  agent?: string;
  json?: boolean;
  continue?: boolean;
  cd?: string;
  systemPrompt?: string;
  appendSystemPrompt?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Declares the options of `RUN_OPTIONS` (src/cli/run-option-table.ts) of one scope on `cmd`, in the table's order. */
function declareRunOptions(cmd: Command, scope: RunOptionScope): Command {
  for (const spec of RUN_OPTIONS) {
    if (spec.scope !== scope) continue;
    const flags = `${spec.short ? `${spec.short}, ` : ""}${spec.long}${spec.value ? ` ${spec.value}` : ""}`;
    const option = new Option(flags, spec.description).default(runOptionDefault(spec));
    if (spec.choices) option.choices(spec.choices);
    if (spec.kind === "collect") option.argParser(collect);
    cmd.addOption(option);
  }
  return cmd;
}

/** The options every subcommand accepts: `-c`, `-q`, `-v`. */
function withCommon(cmd: Command): Command {
  return declareRunOptions(cmd, "common");
}

/** The options `run`, `batch` and `resume` share. */
function withRunOptions(cmd: Command): Command {
  return declareRunOptions(withCommon(cmd), "run-batch-resume");
}

/** The flags only `run` has: agent choice, session continuation, prompt and tool narrowing. */
function withRunOnlyOptions(cmd: Command): Command {
  return declareRunOptions(cmd, "run");
}

/** Keeps options parseable (so using them can be refused with a reason) but out of `--help`. */
function hideOptions(cmd: Command, longNames: readonly string[]): Command {
  for (const option of cmd.options) if (option.long && longNames.includes(option.long)) option.hideHelp();
  return cmd;
}

/**
 * Builds the commander program. Each action imports its module on first use. With `only`, just
 * that subcommand is declared (start-up; see program-subset.ts).
 */
export function buildProgram(run: (action: () => Promise<ExitCodeValue>) => void, only?: string): Command {
  const full = new Command("agentry")
    .description("A governed AI-agent runner")
    .version(`agentry ${buildInfo.version}`, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .exitOverride();
  const program = only === undefined ? full : declareOnly(full, only);

  const lazy =
    <A extends unknown[]>(load: () => Promise<{ default: (...args: A) => Promise<ExitCodeValue> }>) =>
    (...args: A) =>
      run(async () => (await load()).default(...args));

  withRunOnlyOptions(
    withRunOptions(program.command("run").argument("[target]", "agent or flow (default: [defaults].agent)")),
  )
    .argument("[prompt...]", "the prompt; `-` or piped stdin reads stdin")
    .description("run one agent or flow")
    .action(lazy(() => import("./commands/run.ts")));

  withCommon(program.command("chat").argument("[agent]", "agent to talk to (default: [defaults].agent)"))
    .description("talk with an agent on the terminal: streamed answers, inline approvals, /help")
    .option("--model <provider/model>", "override the agent's model (also /model)")
    .option("--session <id>", "continue (or start) this saved conversation")
    .option("--continue", "continue the last conversation of this directory (a chat's or a run's)")
    .option("-C, --cd <dir>", "chat as if started in DIR (configuration lookup, tools, --continue)")
    .option("--tools <kinds>", "without a configuration file: built-in tools, file and/or shell", collect, [])
    .addOption(new Option("--approve <mode>", "approval mode (default ask)").choices(["ask", "deny", "auto"]))
    .action(lazy(() => import("./commands/chat.ts")));

  hideOptions(
    withRunOptions(
      program.command("batch").argument("<jobs>", "JSONL file of {id, agent, prompt} jobs (`-` reads stdin)"),
    ),
    ["--output", "--session"],
  )
    .description("run many jobs concurrently; results as JSONL on stdout")
    .option("--concurrency <n>", "jobs in flight at once", "8")
    .action(lazy(() => import("./commands/batch.ts")));

  withRunOptions(program.command("resume").argument("<run-id>", "a run that stopped awaiting approval"))
    .description("continue a run that stopped awaiting approval")
    .action(lazy(() => import("./commands/resume.ts")));

  withCommon(program.command("approvals"))
    .description("pending approvals of deferred runs")
    .argument("[action]", "list | approve | deny", "list")
    .argument("[id]", "approval id (for approve/deny)")
    .option("--reason <text>", "why (sent to the model on deny)")
    .option("--by <name>", "who decides (default: $USER, else the OS user name)")
    .option("--queue <url>", "the approvals of jobs parked in this queue (redis://…; default [queue] url)")
    .action(lazy(() => import("./commands/approvals.ts")));

  withCommon(program.command("serve"))
    .description("serve agents over HTTP (AG-UI over SSE) with approvals in the browser")
    .option("--listen <host:port>", "address to listen on (port 0 picks a free one)", "127.0.0.1:7420")
    .option("--tls-cert <file>", "TLS certificate (PEM), with --tls-key")
    .option("--tls-key <file>", "TLS private key (PEM), with --tls-cert")
    .option("--behind-proxy", "a TLS-terminating proxy is in front (allows a non-loopback bind without TLS)")
    .option(
      "--allow-origin <origin>",
      "another origin whose pages may call the API (repeatable; never a wildcard)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("--max-body <size>", "largest request body", "1MiB")
    .option("--interrupt-ttl <duration>", "how long an approval stays answerable", "24h")
    .option(
      "--grace <duration>",
      "on SIGTERM, how long running runs may finish before they are stopped",
      "10s",
    )
    .action(lazy(() => import("./commands/serve.ts")));

  withCommon(
    program.command("submit").argument("[jobs]", "JSONL file of jobs (batch's format), - for stdin", "-"),
  )
    .description("enqueue jobs on a Redis/Valkey queue for `agentry worker`s")
    .option("--queue <url>", "redis://HOST:PORT (default: [queue] url)")
    .option("--wait", "stream results as JSONL on stdout as jobs finish")
    .action(lazy(() => import("./commands/submit.ts")));

  withCommon(program.command("worker"))
    .description("run jobs from a Redis/Valkey queue with this configuration until stopped")
    .option("--queue <url>", "redis://HOST:PORT (default: [queue] url)")
    .option("--concurrency <n>", "jobs run at once", "4")
    .addOption(
      new Option("--approve <mode>", "approval mode (default [defaults].approve, else defer)").choices([
        "deny",
        "defer",
        "auto",
      ]),
    )
    .option(
      "--grace <duration>",
      "after SIGTERM, how long running jobs may finish before being handed back",
      "30s",
    )
    .action(lazy(() => import("./commands/worker.ts")));

  withCommon(program.command("jobs"))
    .description("jobs of a queue: state, attempts, result; cancel one")
    .argument("[action]", "list | show | cancel", "list")
    .argument("[id]", "job id (for show/cancel)")
    .option("--queue <url>", "redis://HOST:PORT (default: [queue] url)")
    .option("--json", "list as JSONL")
    .option("--limit <n>", "at most this many jobs per state", "100")
    .option("--by <name>", "who cancels (default: $USER, else the OS user name)")
    .action(lazy(() => import("./commands/jobs.ts")));

  withCommon(program.command("validate"))
    .description("check the configuration and print every problem")
    .action(lazy(() => import("./commands/validate.ts")));

  withCommon(program.command("agents"))
    .description("list agents and flows")
    .option("--json", "print JSON")
    .action(lazy(() => import("./commands/agents.ts")));

  withCommon(program.command("tools").argument("[agent]", "only this agent's tools"))
    .description("list tools with their JSON schemas")
    .option("--json", "print JSON")
    .action(lazy(() => import("./commands/tools.ts")));

  const audit = withCommon(program.command("audit")).description("audit log tools");
  withCommon(audit.command("verify").argument("[file]", "audit log (default: [audit].path)"))
    .description("verify the hash chain; exit 1 naming the first bad line")
    .action(lazy(() => import("./commands/audit-verify.ts")));
  withCommon(audit.command("show").argument("[file]", "audit log (default: [audit].path)"))
    .description("pretty-print the audit log")
    .option("--run <id>", "only this run")
    .option("--agent <name>", "only this agent")
    .option("--tool <name>", "only this tool")
    .action(lazy(() => import("./commands/audit-show.ts")));

  const runs = withCommon(program.command("runs")).description("recorded runs: list, waterfall, HTML report");
  withCommon(runs.command("list"))
    .description("recorded runs, newest first")
    .option("--agent <name>", "only this agent's runs")
    .option(
      "--status <status>",
      "only runs with this status (ok, failed, stopped, awaiting_approval, interrupted, running)",
    )
    .option("--since <when>", "only runs started since a duration ago (30m, 2h, 7d) or a date")
    .option("--limit <n>", "at most this many runs (default 50)")
    .option("--json", "print JSON")
    .action(lazy(() => import("./commands/runs-list.ts")));
  withCommon(runs.command("show").argument("<run-id>", "a run id (or the unique start of one)"))
    .description("the run as a waterfall: agent → model turns → tool calls → sub-agents")
    .option("-f, --follow", "redraw a run that is still going until it ends")
    .action(lazy(() => import("./commands/runs-show.ts")));
  withCommon(runs.command("report").argument("<run-id>", "a run id (or the unique start of one)"))
    .description("write the run as one self-contained HTML file")
    .option("-o, --output <file>", "where to write the report (default: stdout)")
    .action(lazy(() => import("./commands/runs-report.ts")));

  withCommon(program.command("schedule"))
    .description("run [schedules.*] in the foreground; one JSON line per run on stdout")
    .option("--once", "fire every schedule once now and exit")
    .option("--only <name>", "only this schedule (repeatable)", (v: string, acc: string[]) => [...acc, v], [])
    .addOption(
      new Option("--approve <mode>", "approval mode for unattended runs").choices(["deny", "defer", "auto"]),
    )
    .action(lazy(() => import("./commands/schedule.ts")));

  const mcp = program
    .command("mcp")
    .description("Model Context Protocol: serve agentry's agents to MCP clients");
  withCommon(mcp.command("serve"))
    .description("serve the configured agents and flows as MCP tools over stdio")
    .addOption(
      new Option("--approve <mode>", "approval mode for served runs (default deny)").choices([
        "ask",
        "deny",
        "defer",
        "auto",
      ]),
    )
    .action(lazy(() => import("./commands/mcp-serve.ts")));

  const sandbox = program.command("sandbox").description("sandboxes of shell tools and stdio MCP servers");
  withCommon(sandbox.command("check").argument("[tool]", "only this shell tool or MCP server (mcp:NAME)"))
    .description(
      "prove on this host that each sandbox holds: a forbidden write, a denied read, a network connection",
    )
    .action(lazy(() => import("./commands/sandbox-check.ts")));
  program
    .command("__sandbox-probe", { hidden: true })
    .argument("[args...]")
    .action(lazy(() => import("./commands/sandbox-probe.ts")));

  hideOptions(withCommon(program.command("init")), ["--config", "--quiet"])
    .description("write a commented starter agentry.toml, or the one a run without a configuration uses")
    .option("--force", "overwrite an existing file")
    .option(
      "--from-env",
      "write the zero-config setup: providers from the environment, keys as variable references",
    )
    .option(
      "--model <provider/model>",
      "with --from-env: the default model (else AGENTRY_MODEL, else the provider's)",
    )
    .option("--tools <kinds>", "with --from-env: built-in tools for the assistant (file, shell)", collect)
    .argument("[file]", "where to write (- prints it)", "agentry.toml")
    .action(lazy(() => import("./commands/init.ts")));

  withCommon(program.command("doctor"))
    .description("check configuration, environment variables and provider reachability")
    .action(lazy(() => import("./commands/doctor.ts")));

  hideOptions(withCommon(program.command("version")), ["--config", "--quiet"])
    .description("print version, commit, build date and target")
    .action(lazy(() => import("./commands/version.ts")));

  addExamplesAndExitCodes(program);
  return program;
}

/**
 * Entry point: parses argv with commander, runs the command, exits with the documented code
 * (`settleCommand`). `agentry run` in plain forms does not come here (src/cli/start.ts).
 */
export async function main(argv: string[]): Promise<void> {
  let pending: Promise<ExitCodeValue> | undefined;
  const onAction = (action: () => Promise<ExitCodeValue>) => {
    pending = action();
  };
  const first = argv[0];
  const named = first !== undefined && /^[a-z]/.test(first) ? buildProgram(onAction, first) : undefined;
  const program = named && named.commands.length > 0 ? named : buildProgram(onAction);
  await settleCommand(
    async () => {
      // Commands write to process.stdout directly: its errors must be watched before they start.
      stdoutStream();
      await program.parseAsync(argv, { from: "user" });
      return pending ? await pending : ExitCode.ok;
    },
    {
      verbose: verboseIn(argv),
      usageError: (err) =>
        err instanceof CommanderError ? (err.exitCode === 0 ? ExitCode.ok : ExitCode.usage) : undefined,
    },
  );
}
