import type { Ora } from "ora";
import type { RunEvent } from "../../spec/events.ts";
import { formatDuration, formatUsd, preview, terminalSafe } from "./format.ts";
import type { Paint } from "./paint.ts";
import type { Renderer } from "./renderer.ts";

export interface TextRendererOptions {
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** Colours (`ansiColor()`) on a terminal that may have them, else `noColor` (paint.ts). */
  paint: Paint;
  /**
   * A spinner factory (ora) when stderr is interactive; plain lines otherwise. `suffix` is called
   * on every frame (the elapsed time of what the spinner waits for).
   */
  spinner?: (text: string, suffix: () => string) => Ora;
  /** Milliseconds on a monotonic clock, for the spinner's elapsed time. Default: `performance.now`. */
  now?: () => number;
  /**
   * Runs `flush` once the events emitted in the current turn of the event loop have been seen
   * (default `setImmediate`), so a call refused at once prints one line; returns a canceller.
   */
  defer?: (flush: () => void) => () => void;
  /**
   * Whether approval requests are put to a person (`--approve ask`): then a call's line is shown
   * before the question; otherwise an `asked` event is answered by the approval mode itself.
   */
  asksHuman?: boolean;
  /** Whether stdout is a terminal: the answer's terminal controls are then spelled out (`terminalSafe`). */
  answerToTerminal?: boolean;
  quiet: boolean;
  verbose: boolean;
  /**
   * Whether the answer of a run of this agent is checked against an output schema: then nothing
   * is streamed, and only a final answer that passed goes to stdout (rejected attempts never do).
   */
  answerChecked?: (agent: string) => boolean;
}

/**
 * The human view: the answer streams to stdout; tool calls with their arguments, their outcome and
 * duration, warnings and a final summary with the run id go to stderr. What a tool is about to
 * do is always shown before its outcome (issue 12); a call refused before it ran (denied, by
 * policy or by a human, rate-limited…) is one line with its arguments and the reason, not a call
 * line, an approval line and a result line. On a terminal one spinner with the elapsed time shows
 * what the run waits for: the model, or the tools still running.
 */
export function textRenderer(options: TextRendererOptions): Renderer {
  const paint = options.paint;
  const now = options.now ?? (() => performance.now());
  const defer =
    options.defer ??
    ((flush: () => void) => {
      const handle = setImmediate(flush);
      return () => clearImmediate(handle);
    });
  const running = new Map<string, string>();
  const pendingCalls = new Map<string, string>();
  let cancelFlush: (() => void) | undefined;
  let spinner: Ora | undefined;
  let phase: "model" | "tools" | undefined;
  let phaseStarted = 0;
  let model = "the model";
  let answerOpen = false;
  let streamed = false;
  let holdAnswer = false;
  let lastOut = "\n";

  const out = (text: string) => {
    if (text === "") return;
    options.writeOut(options.answerToTerminal ? terminalSafe(text) : text);
    lastOut = text;
  };
  const err = (line: string) => {
    if (options.quiet) return;
    spinner?.clear();
    if (answerOpen && !lastOut.endsWith("\n")) out("\n");
    answerOpen = false;
    options.writeErr(`${line}\n`);
    spinner?.render();
  };
  const stopSpinner = () => {
    spinner?.stop();
    spinner = undefined;
    phase = undefined;
  };
  const showSpinner = (next: "model" | "tools", text: string) => {
    if (!options.spinner || options.quiet) return;
    if (phase !== next) {
      phase = next;
      phaseStarted = now();
    }
    if (spinner) spinner.text = text;
    else spinner = options.spinner(text, () => paint.dim(formatDuration(now() - phaseStarted))).start();
  };
  const waitForModel = () => showSpinner("model", `waiting for ${model}`);
  let rootRunId: string | undefined;
  /** A sub-agent's calls are indented under its name (the top-level run's are not). */
  const nesting = (event: RunEvent) =>
    event.run_id === rootRunId ? "" : `  ${paint.dim(`${terminalSafe(event.agent)}:`)} `;
  /** Calls are keyed by run and id: a sub-agent's ids may repeat its parent's. */
  const callKey = (event: RunEvent & { id: string }) => `${event.run_id}\u0000${event.id}`;
  const callLine = (nest: string, name: string, args: unknown) =>
    `${nest}${paint.cyan("→")} ${terminalSafe(name)} ${paint.dim(preview(args, 300))}`;
  const flushCalls = () => {
    cancelFlush?.();
    cancelFlush = undefined;
    for (const line of pendingCalls.values()) err(line);
    pendingCalls.clear();
  };

  const render = (event: RunEvent) => {
    rootRunId ??= event.run_id;
    switch (event.type) {
      case "text_delta":
        if (holdAnswer) break;
        stopSpinner();
        answerOpen = true;
        streamed = true;
        out(event.text);
        break;
      case "tool_call":
        running.set(callKey(event), terminalSafe(event.name));
        pendingCalls.set(callKey(event), callLine(nesting(event), event.name, event.args));
        cancelFlush ??= defer(flushCalls);
        showSpinner("tools", `running ${[...running.values()].join(", ")}`);
        break;
      case "tool_result": {
        const key = callKey(event);
        const nest = nesting(event);
        running.delete(key);
        if (running.size === 0) waitForModel();
        else showSpinner("tools", `running ${[...running.values()].join(", ")}`);
        const took = paint.dim(`(${formatDuration(event.duration_ms)})`);
        const call = pendingCalls.get(key);
        pendingCalls.delete(key);
        if (event.ok) {
          if (call) err(call);
          err(`${nest}${paint.green("✓")} ${terminalSafe(event.name)} ${took}`);
          break;
        }
        const by = event.stopped_by ? paint.dim(` [${event.stopped_by}]`) : "";
        const shown = call
          ? call.replace(paint.cyan("→"), paint.red("✗"))
          : `${nest}${paint.red("✗")} ${terminalSafe(event.name)}`;
        err(`${shown} ${took}${by}: ${preview(event.error, 160)}`);
        break;
      }
      case "approval":
        if (event.state === "asked") {
          if (options.asksHuman) stopSpinner();
          break;
        }
        if (event.state === "denied") break;
        err(
          paint.yellow(
            `approval ${event.state}: ${terminalSafe(event.tool)} (${event.approval_id})${event.reason ? ` — ${terminalSafe(event.reason)}` : ""}`,
          ),
        );
        break;
      case "subagent_start":
        err(paint.cyan(`▶ ${terminalSafe(event.child_agent)}: ${preview(event.task)}`));
        break;
      case "subagent_end":
        err(paint.cyan(`■ ${terminalSafe(event.child_agent)}: ${event.status} (${event.stop_reason})`));
        break;
      case "warning":
        if (isRefusalWarning(event)) break;
        err(paint.yellow(`warning: ${terminalSafe(event.message)}`));
        break;
      case "error":
        err(paint.red(`error: ${terminalSafe(event.error.message)}`));
        break;
      case "usage":
        if (options.verbose)
          err(paint.dim(`turn ${event.turn}: ${event.input_tokens} in / ${event.output_tokens} out`));
        break;
      case "run_end": {
        stopSpinner();
        if (!streamed && event.answer !== "" && (!holdAnswer || event.status === "ok")) out(event.answer);
        if (event.error && event.stop_reason !== "error")
          err(paint.red(`error: ${terminalSafe(event.error.message)}`));
        if (lastOut !== "" && !lastOut.endsWith("\n")) out("\n");
        const tokens = event.usage.input_tokens + event.usage.output_tokens;
        const status =
          event.status === "ok"
            ? paint.green(event.status)
            : paint.red(`${event.status}: ${event.stop_reason}`);
        err(
          paint.dim(
            `— ${status} · ${event.turns} turn${event.turns === 1 ? "" : "s"} · ${tokens} tokens · ${formatUsd(event.cost_usd)} · ${formatDuration(event.duration_ms)} · run ${event.run_id}`,
          ),
        );
        break;
      }
      case "run_start":
        holdAnswer = options.answerChecked?.(event.agent) ?? false;
        model = event.model || model;
        waitForModel();
        break;
      case "message":
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
      }
    }
  };

  return {
    onEvent(event: RunEvent) {
      if (options.quiet && !shownWhenQuiet(event)) return;
      const refusalOfPending =
        (event.type === "tool_result" && pendingCalls.has(callKey(event))) ||
        (event.type === "approval" &&
          (event.state === "denied" || (event.state === "asked" && !options.asksHuman))) ||
        isRefusalWarning(event) ||
        event.type === "tool_call";
      if (!refusalOfPending) flushCalls();
      render(event);
    },
    close() {
      cancelFlush?.();
      stopSpinner();
    },
  };
}

/** The warning a pipeline layer emits when it refuses a call; its `tool_result` line says the same. */
function isRefusalWarning(event: RunEvent): boolean {
  return event.type === "warning" && typeof event.data?.["call_id"] === "string";
}

/**
 * The events `--quiet` output depends on: the answer (streamed or at the end) and whether it is
 * held back for a schema check. Every other event only makes stderr lines and spinner text, which
 * quiet mode never shows, so they are not built.
 */
function shownWhenQuiet(event: RunEvent): boolean {
  return event.type === "text_delta" || event.type === "run_start" || event.type === "run_end";
}
