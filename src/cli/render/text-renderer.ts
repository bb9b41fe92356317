import { Chalk } from "chalk";
import type { Ora } from "ora";
import type { RunEvent } from "../../spec/events.ts";
import { formatDuration, formatUsd, preview } from "./format.ts";
import type { Renderer } from "./renderer.ts";

export interface TextRendererOptions {
  writeOut(text: string): void;
  writeErr(text: string): void;
  color: boolean;
  /** A spinner factory (ora) when stderr is interactive; plain lines otherwise. */
  spinner?: (text: string) => Ora;
  quiet: boolean;
  verbose: boolean;
  /**
   * Whether the answer of a run of this agent is checked against an output schema: then nothing
   * is streamed, and only a final answer that passed goes to stdout (rejected attempts never do).
   */
  answerChecked?: (agent: string) => boolean;
}

/**
 * The human view: the answer streams to stdout; tool calls with their arguments (always, spinner
 * or not: what a tool is about to do is the line a governed runner must show), their outcome and
 * duration, warnings and a final summary go to stderr. One spinner shows every tool still running.
 */
export function textRenderer(options: TextRendererOptions): Renderer {
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  const running = new Map<string, string>();
  let spinner: Ora | undefined;
  let answerOpen = false;
  let streamed = false;
  let holdAnswer = false;
  let lastOut = "\n";

  const out = (text: string) => {
    if (text === "") return;
    options.writeOut(text);
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
  const refreshSpinner = () => {
    if (!options.spinner || options.quiet) return;
    if (running.size === 0) {
      spinner?.stop();
      spinner = undefined;
      return;
    }
    const text = `running ${[...running.values()].join(", ")}`;
    if (spinner) spinner.text = text;
    else spinner = options.spinner(text).start();
  };

  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case "text_delta":
          if (holdAnswer) break;
          spinner?.clear();
          answerOpen = true;
          streamed = true;
          out(event.text);
          break;
        case "tool_call":
          running.set(event.id, event.name);
          err(`${paint.cyan("→")} ${event.name} ${paint.dim(preview(event.args, 300))}`);
          refreshSpinner();
          break;
        case "tool_result": {
          running.delete(event.id);
          refreshSpinner();
          const took = paint.dim(`(${formatDuration(event.duration_ms)})`);
          if (event.ok) err(`${paint.green("✓")} ${event.name} ${took}`);
          else {
            const by = event.stopped_by ? paint.dim(` [${event.stopped_by}]`) : "";
            err(`${paint.red("✗")} ${event.name} ${took}${by}: ${preview(event.error, 160)}`);
          }
          break;
        }
        case "approval":
          if (event.state === "asked") {
            spinner?.stop();
            spinner = undefined;
            break;
          }
          err(
            paint.yellow(
              `approval ${event.state}: ${event.tool} (${event.approval_id})${event.reason ? ` — ${event.reason}` : ""}`,
            ),
          );
          break;
        case "subagent_start":
          err(paint.cyan(`▶ ${event.child_agent}: ${preview(event.task)}`));
          break;
        case "subagent_end":
          err(paint.cyan(`■ ${event.child_agent}: ${event.status} (${event.stop_reason})`));
          break;
        case "warning":
          err(paint.yellow(`warning: ${event.message}`));
          break;
        case "error":
          err(paint.red(`error: ${event.error.message}`));
          break;
        case "usage":
          if (options.verbose)
            err(paint.dim(`turn ${event.turn}: ${event.input_tokens} in / ${event.output_tokens} out`));
          break;
        case "run_end": {
          spinner?.stop();
          spinner = undefined;
          if (!streamed && event.answer !== "" && (!holdAnswer || event.status === "ok")) out(event.answer);
          if (event.error && event.stop_reason !== "error") err(paint.red(`error: ${event.error.message}`));
          if (lastOut !== "" && !lastOut.endsWith("\n")) out("\n");
          const tokens = event.usage.input_tokens + event.usage.output_tokens;
          const status =
            event.status === "ok"
              ? paint.green(event.status)
              : paint.red(`${event.status}: ${event.stop_reason}`);
          err(
            paint.dim(
              `— ${status} · ${event.turns} turn${event.turns === 1 ? "" : "s"} · ${tokens} tokens · ${formatUsd(event.cost_usd)} · ${formatDuration(event.duration_ms)}`,
            ),
          );
          break;
        }
        case "run_start":
          holdAnswer = options.answerChecked?.(event.agent) ?? false;
          break;
        case "message":
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
        }
      }
    },
    close() {
      spinner?.stop();
    },
  };
}
