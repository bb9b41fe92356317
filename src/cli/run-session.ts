import { type LoadedConfig, loadConfig } from "../config/loader.ts";
import type { ApproveMode } from "../config/schema.ts";
import { createRuntime, type Runtime } from "../runtime/runtime.ts";
import type { Approver } from "../spec/approval.ts";
import type { RunEvent } from "../spec/events.ts";
import { findConfigPath } from "./config-path.ts";
import { handleInterrupts } from "./interrupts.ts";
import type { RunOptions } from "./main.ts";
import { colorDisabled, stderrIsInteractive, stdinIsInteractive, writeAnswer, writeInfo } from "./output.ts";
import { jsonRenderer, ndjsonRenderer, type Renderer, silentRenderer } from "./render/renderer.ts";

/** Everything a CLI run needs around the runtime: config, renderer, approver, signal handling. */
export interface CliRunSession {
  loaded: LoadedConfig;
  runtime: Runtime;
  renderer: Renderer;
  signal: AbortSignal;
  /** `--approve`, else `[defaults].approve`, else `ask` on a terminal and `deny` without one. */
  approve: ApproveMode;
  /** Restores signal handlers, closes the prompt and flushes the audit log. */
  close(): Promise<void>;
}

/**
 * Opens the config and runtime for a run-like command and wires Ctrl-C (twice exits at once).
 * `events: false` is for commands that report results themselves: no renderer is loaded.
 */
export async function openCliRun(
  options: RunOptions,
  settings: { events?: boolean } = {},
): Promise<CliRunSession> {
  const loaded = await loadConfig(findConfigPath(options.config));
  const interactive = stdinIsInteractive();
  const prompt = interactive
    ? (await import("./tty-approver.ts")).ttyApprover(process.stdin, process.stderr)
    : undefined;
  const ask: Approver | undefined = prompt?.approver;
  const runtime = createRuntime(loaded, {
    ...(ask ? { ask } : {}),
    ...(options.verbose ? { log: (line: Record<string, unknown>) => writeInfo(JSON.stringify(line)) } : {}),
  });
  const renderer = settings.events === false ? silentRenderer : await rendererFor(options);
  const controller = new AbortController();
  const removeHandlers = handleInterrupts({
    controller,
    flushSync: () => runtime.flushSync(),
    signals: ["SIGINT", "SIGTERM", "SIGHUP"],
    notice: (name) =>
      options.quiet ? undefined : `\n${name}: stopping tools and saving state (Ctrl-C again to exit now)`,
  });
  return {
    loaded,
    runtime,
    renderer,
    signal: controller.signal,
    approve: options.approve ?? loaded.config.defaults?.approve ?? (interactive ? "ask" : "deny"),
    async close() {
      removeHandlers();
      prompt?.close();
      renderer.close();
      await runtime.close();
    },
  };
}

/**
 * The event listener for a run: ndjson shows every event (sub-agents' nest by run id); the other
 * formats show only the top-level run, so a sub-agent's text never lands in the answer.
 */
export function listenerFor(renderer: Renderer, options: RunOptions): (event: RunEvent) => void {
  let rootRunId: string | undefined;
  return (event) => {
    rootRunId ??= event.run_id;
    if (event.run_id === rootRunId || options.output === "ndjson") renderer.onEvent(event);
  };
}

/** Picks the renderer for `--output`; colours load only for text, the spinner only on a terminal. */
export async function rendererFor(options: RunOptions): Promise<Renderer> {
  switch (options.output) {
    case "ndjson":
      return ndjsonRenderer(writeAnswer);
    case "json":
      return jsonRenderer(writeAnswer);
    default: {
      const { textRenderer } = await import("./render/text-renderer.ts");
      const ora = !options.quiet && stderrIsInteractive() ? (await import("ora")).default : undefined;
      const spinnerFactory = ora
        ? (text: string) => ora({ text, stream: process.stderr, discardStdin: false })
        : undefined;
      return textRenderer({
        writeOut: writeAnswer,
        writeErr: (text) => process.stderr.write(text),
        color: !colorDisabled() && Boolean(process.stderr.isTTY),
        ...(spinnerFactory ? { spinner: spinnerFactory } : {}),
        quiet: Boolean(options.quiet),
        verbose: Boolean(options.verbose),
      });
    }
  }
}
