import { namedEntry } from "../../config/named-entry.ts";
import type { ApproveMode, Config } from "../../config/schema.ts";
import type { RunResult } from "../../runtime/run-request.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import { RunStop } from "../../spec/run-stop.ts";
import type { RunOptions } from "../main.ts";
import { renderError } from "../render-error.ts";
import { listenerFor, rendererFor } from "../run-session.ts";
import type { ChatState } from "./chat-state.ts";
import { isSlashCommand, runSlashCommand } from "./slash-commands.ts";
import type { TerminalInput } from "./terminal-input.ts";

/** Everything the loop of `agentry chat` works with. */
export interface ChatLoop {
  runtime: Runtime;
  config: Config;
  stateDir: string;
  input: TerminalInput;
  state: ChatState;
  approve: ApproveMode;
  /** The run flags that shape output (`-q`, `-v`). */
  options: RunOptions;
  /** Called after each turn that ran: records the session as this directory's last (`--continue`). */
  saved(): void;
  write(text: string): void;
  /** Leaves at once (second Ctrl-C while a turn is being cancelled): flush the audit, exit 130. */
  exitNow(): never;
  /** Aborted when the chat must end (SIGTERM, SIGHUP, SIGINT from outside): the turn stops, the chat leaves. */
  leave: AbortSignal;
}

/**
 * The conversation: read a message, run it as one turn (one governed run continuing the chat's
 * session), repeat. Ctrl-C cancels the running turn and the chat goes on; Ctrl-C at the prompt
 * right after another Ctrl-C (or after a cancelled turn) leaves. Resolves when the user leaves.
 */
export async function chatLoop(chat: ChatLoop): Promise<void> {
  let interruptedLast = false;
  while (!chat.leave.aborted) {
    const got = await chat.input.read();
    if (got.kind === "eof") return;
    if (got.kind === "interrupt") {
      if (interruptedLast) return;
      interruptedLast = true;
      chat.write("(Ctrl-C again or /exit to leave)");
      continue;
    }
    const text = got.text;
    if (text.trim() === "") continue;
    interruptedLast = false;
    try {
      if (isSlashCommand(text)) {
        const outcome = await runSlashCommand(text, {
          config: chat.config,
          stateDir: chat.stateDir,
          state: chat.state,
          write: chat.write,
        });
        if (outcome === "exit") return;
        continue;
      }
      const result = await turn(chat, text.startsWith("//") ? text.slice(1) : text);
      if (result?.status === "interrupted" && !chat.leave.aborted) {
        interruptedLast = true;
        chat.write("turn cancelled; the conversation goes on (Ctrl-C again to leave)");
      }
    } catch (err) {
      chat.write(renderError(err, Boolean(chat.options.verbose)).text);
    }
  }
}

/** One message as one run: streamed, governed and audited exactly as `agentry run` is. */
async function turn(chat: ChatLoop, prompt: string): Promise<RunResult | undefined> {
  const controller = new AbortController();
  const stop = () => controller.abort(new RunStop("interrupted"));
  if (chat.leave.aborted) return undefined;
  chat.leave.addEventListener("abort", stop, { once: true });
  chat.input.onInterrupt(() => {
    if (controller.signal.aborted) chat.exitNow();
    chat.write("^C cancelling the turn: stopping its tools (Ctrl-C again to leave now)");
    stop();
  });
  const answerChecked = (agent: string) => namedEntry(chat.config.agents, agent)?.output_schema !== undefined;
  const renderer = await rendererFor({ ...chat.options, output: "text" }, answerChecked, {
    asksHuman: chat.approve === "ask",
  });
  try {
    const result = await chat.runtime.run({
      target: chat.state.agent,
      prompt,
      session: chat.state.session,
      approve: chat.approve,
      signal: controller.signal,
      onEvent: listenerFor(renderer, chat.options),
      ...(chat.state.model !== undefined ? { model: chat.state.model } : {}),
    });
    chat.saved();
    const { usage } = chat.state;
    usage.input_tokens += result.usage.input_tokens;
    usage.output_tokens += result.usage.output_tokens;
    usage.cost_usd += result.usage.cost_usd;
    usage.runs += 1;
    return result;
  } finally {
    chat.leave.removeEventListener("abort", stop);
    chat.input.onInterrupt(() => {});
    renderer.close();
  }
}
