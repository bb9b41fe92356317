import type { LoadedConfig } from "../config/loader.ts";
import type { ApproveMode } from "../config/schema.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Approver } from "../spec/approval.ts";
import { UsageError } from "../spec/errors.ts";
import type { RunEvent } from "../spec/events.ts";
import { RunStop } from "../spec/run-stop.ts";
import { resolveStateDir } from "../state/state-dir.ts";
import { buildInfo } from "./build-info.ts";
import { type ConfigSource, loadCliConfig } from "./cli-config.ts";
import { createCliRuntime } from "./cli-runtime.ts";
import { handleInterrupts } from "./interrupts.ts";
import type { RunOptions } from "./main.ts";
import {
  colorDisabled,
  onStdoutClosed,
  stderrIsInteractive,
  stdinIsInteractive,
  writeAnswer,
  writeInfo,
} from "./output.ts";
import { ansiColor, noColor } from "./render/paint.ts";
import { jsonRenderer, ndjsonRenderer, type Renderer, silentRenderer } from "./render/renderer.ts";
import { toolPatternsFrom } from "./run-options.ts";
import { isTerminal } from "./terminal-fd.ts";

/** Everything a CLI run needs around the runtime: config, renderer, approver, signal handling. */
export interface CliRunSession {
  loaded: LoadedConfig;
  /** The configuration file used, or zero-config mode. */
  source: ConfigSource;
  /** The run state directory (sessions, deferred runs, records), as the runtime resolves it. */
  stateDir: string;
  runtime: Runtime;
  renderer: Renderer;
  signal: AbortSignal;
  /** `--approve`, else `[defaults].approve`, else `ask` on a terminal and `deny` without one. */
  approve: ApproveMode;
  /** Restores signal handlers, closes the prompt and flushes the audit log. */
  close(): Promise<void>;
}

/**
 * Opens the config (a file, or zero-config mode: `loadCliConfig`) and runtime for a run-like
 * command, with `--allowed-tools`/`--disallowed-tools` narrowing every agent's tools, and wires
 * Ctrl-C (twice exits at once).
 * `events: false` is for commands that report results themselves: no renderer is loaded;
 * `concurrency` is how many runs the command will have in flight at once (default 1).
 */
export async function openCliRun(
  options: RunOptions,
  settings: { events?: boolean; concurrency?: number } = {},
): Promise<CliRunSession> {
  const { loaded, source } = await loadCliConfig(options);
  const toolNames = toolPatternsFrom(options);
  const interactive = stdinIsInteractive();
  const approve = options.approve ?? loaded.config.defaults?.approve ?? (interactive ? "ask" : "deny");
  const prompt = approve === "ask" ? await openPrompt(interactive) : undefined;
  const ask: Approver | undefined = prompt?.approver;
  const runtime = createCliRuntime(
    loaded,
    {
      toolNames,
      ...(ask ? { ask } : {}),
      onWarning: (message) => writeInfo(`warning: ${message}`),
      version: buildInfo.version,
      ...(options.verbose ? { log: (line: Record<string, unknown>) => writeInfo(JSON.stringify(line)) } : {}),
    },
    settings.concurrency,
  );
  const answerChecked = (agent: string) =>
    options.outputSchema !== undefined || loaded.config.agents?.[agent]?.output_schema !== undefined;
  const renderer =
    settings.events === false
      ? silentRenderer
      : await rendererFor(options, answerChecked, { asksHuman: approve === "ask" });
  const controller = new AbortController();
  const removeHandlers = handleInterrupts({
    controller,
    flushSync: () => runtime.flushSync(),
    signals: ["SIGINT", "SIGTERM", "SIGHUP"],
    notice: (name) =>
      options.quiet ? undefined : `\n${name}: stopping tools and saving state (Ctrl-C again to exit now)`,
  });
  const removeStdoutWatch = onStdoutClosed(() =>
    controller.abort(new RunStop("interrupted", "stdout closed")),
  );
  return {
    loaded,
    source,
    stateDir: resolveStateDir(loaded.config.defaults?.state_dir),
    runtime,
    renderer,
    signal: controller.signal,
    approve,
    async close() {
      removeHandlers();
      removeStdoutWatch();
      prompt?.close();
      renderer.close();
      await runtime.close();
    },
  };
}

/**
 * The approval prompt of `--approve ask`: on stdin when it is a terminal, else on the
 * controlling terminal (`/dev/tty`) so a piped prompt still gets asked; without any terminal
 * asking is impossible, which is a usage error (exit 2), never a silent deny.
 */
async function openPrompt(stdinIsTerminal: boolean): Promise<{ approver: Approver; close(): void }> {
  const { ttyApprover } = await import("./tty-approver.ts");
  if (stdinIsTerminal) return ttyApprover(process.stdin, process.stderr);
  const { openControllingTerminal } = await import("./controlling-terminal.ts");
  const terminal = openControllingTerminal();
  if ("error" in terminal) {
    throw new UsageError(
      `--approve ask needs a terminal to ask on: stdin is not one and /dev/tty cannot be opened (${terminal.error})`,
      {
        hint: "run it in a terminal, or choose --approve deny (refuse), defer (decide later, exit 5) or auto",
      },
    );
  }
  const prompt = ttyApprover(terminal.input, terminal.output);
  return {
    approver: prompt.approver,
    close: () => {
      prompt.close();
      terminal.close();
    },
  };
}

/**
 * The event listener for a run: ndjson shows every event (sub-agents' nest by run id); the other
 * formats show the top-level run, so a sub-agent's text never lands in the answer, and the text
 * view also the tool calls and results of sub-agents (indented under their name), so what every
 * agent of the run does is on the terminal.
 */
export function listenerFor(renderer: Renderer, options: RunOptions): (event: RunEvent) => void {
  let rootRunId: string | undefined;
  const showsNestedCalls = options.output !== "json";
  return (event) => {
    rootRunId ??= event.run_id;
    if (
      event.run_id === rootRunId ||
      options.output === "ndjson" ||
      (showsNestedCalls && (event.type === "tool_call" || event.type === "tool_result"))
    )
      renderer.onEvent(event);
  };
}

/**
 * Picks the renderer for `--output`; colours load only for text, the spinner only on a terminal.
 * `answerChecked` tells the text renderer which agents' answers must pass an output schema first.
 */
export async function rendererFor(
  options: RunOptions,
  answerChecked?: (agent: string) => boolean,
  settings: { asksHuman?: boolean } = {},
): Promise<Renderer> {
  switch (options.output) {
    case "ndjson":
      return ndjsonRenderer(writeAnswer);
    case "json":
      return jsonRenderer(writeAnswer);
    default: {
      const { textRenderer } = await import("./render/text-renderer.ts");
      const ora = !options.quiet && stderrIsInteractive() ? (await import("ora")).default : undefined;
      const spinnerFactory = ora
        ? (text: string, suffix: () => string) =>
            ora({ text, suffixText: suffix, stream: process.stderr, discardStdin: false })
        : undefined;
      return textRenderer({
        writeOut: writeAnswer,
        writeErr: (text) => process.stderr.write(text),
        paint: !colorDisabled() && isTerminal(2) ? await ansiColor() : noColor,
        ...(spinnerFactory ? { spinner: spinnerFactory } : {}),
        answerToTerminal: isTerminal(1),
        quiet: Boolean(options.quiet),
        verbose: Boolean(options.verbose),
        asksHuman: settings.asksHuman ?? true,
        ...(answerChecked ? { answerChecked } : {}),
      });
    }
  }
}
