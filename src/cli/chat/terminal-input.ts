import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";
import type tty from "node:tty";
import type { AskLine } from "../tty-approver.ts";

/** What the user did at the message prompt. */
export type PromptInput =
  | { kind: "message"; text: string }
  /** Ctrl-C at the prompt (whatever was typed is discarded). */
  | { kind: "interrupt" }
  /** Ctrl-D on an empty line, or the terminal went away. */
  | { kind: "eof" };

/** The chat's one reader of the terminal: messages, approval questions, and Ctrl-C during a turn. */
export interface TerminalInput {
  /** Shows the prompt and reads one message (continuation lines and pastes joined). */
  read(): Promise<PromptInput>;
  /** Asks a question while a turn runs (approvals); undefined when cancelled or input closed. */
  ask: AskLine;
  /** Called on Ctrl-C while no message is being read (a turn is running). */
  onInterrupt(handler: () => void): void;
  close(): void;
}

const PASTE_ON = "\x1b[?2004h";
const PASTE_OFF = "\x1b[?2004l";

/**
 * One readline interface in raw mode over the terminal, so Ctrl-C is a key (tool processes, in
 * their own process groups, never see it) and the chat decides what it means. Multi-line input:
 * a line ending in `\` continues on the next line; a bracketed paste (enabled here) is taken whole,
 * its line breaks kept, and sent with the next Enter. While a turn runs nothing typed is echoed
 * and lines are dropped, so text typed ahead can never answer an approval question asked later;
 * nor can pasted text (a bracketed paste while a question is open is discarded and the question
 * asked again: an approval is typed). Terminals without bracketed paste send a paste as keys,
 * which cannot be told apart from typing.
 */
export function terminalInput(input: tty.ReadStream, output: tty.WriteStream): TerminalInput {
  let echo = false;
  const shown = new Writable({
    write(chunk, _encoding, done) {
      if (echo) output.write(chunk);
      done();
    },
  });
  Object.defineProperty(shown, "columns", { get: () => output.columns });
  Object.defineProperty(shown, "isTTY", { value: true });
  const rl: Interface = createInterface({
    input,
    output: shown,
    terminal: true,
    historySize: 200,
    prompt: "› ",
  });
  output.write(PASTE_ON);

  let state: "idle" | "reading" | "asking" = "idle";
  let closed = false;
  let pasting = false;
  let pastedIntoAnswer = false;
  let parts: string[] = [];
  let onMessage: ((input: PromptInput) => void) | undefined;
  let onAnswer: ((line: string | undefined) => void) | undefined;
  let interruptHandler = () => {};

  const clearLine = () => {
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
  };
  const finishRead = (result: PromptInput) => {
    const resolve = onMessage;
    onMessage = undefined;
    parts = [];
    state = "idle";
    echo = false;
    resolve?.(result);
  };
  const onKeypress = (_text: string | undefined, key: { name?: string } | undefined) => {
    if (key?.name === "paste-start") {
      pasting = true;
      if (state === "asking") pastedIntoAnswer = true;
    } else if (key?.name === "paste-end") pasting = false;
  };
  input.on("keypress", onKeypress);

  rl.on("line", (line) => {
    if (state === "asking" && (pasting || pastedIntoAnswer)) {
      if (pasting) return;
      pastedIntoAnswer = false;
      output.write("  (pasted text is no answer: type it)\n");
      rl.prompt();
      return;
    }
    if (state === "asking") {
      const resolve = onAnswer;
      onAnswer = undefined;
      state = "idle";
      echo = false;
      resolve?.(line);
      return;
    }
    if (state !== "reading") return;
    if (pasting) {
      parts.push(line);
      return;
    }
    if (line.endsWith("\\")) {
      parts.push(line.slice(0, -1));
      rl.setPrompt("… ");
      rl.prompt();
      return;
    }
    finishRead({ kind: "message", text: [...parts, line].join("\n") });
  });
  rl.on("SIGINT", () => {
    if (state === "reading") {
      output.write("^C\n");
      clearLine();
      finishRead({ kind: "interrupt" });
      return;
    }
    clearLine();
    interruptHandler();
  });
  rl.on("close", () => {
    closed = true;
    if (state === "reading") finishRead({ kind: "eof" });
    if (state === "asking") {
      const resolve = onAnswer;
      onAnswer = undefined;
      resolve?.(undefined);
    }
    state = "idle";
  });

  return {
    read() {
      if (closed) return Promise.resolve({ kind: "eof" });
      return new Promise<PromptInput>((resolve) => {
        rl.setPrompt("› ");
        clearLine();
        onMessage = resolve;
        state = "reading";
        echo = true;
        rl.prompt();
      });
    },
    ask(question, signal) {
      if (closed || signal.aborted) return Promise.resolve(undefined);
      return new Promise<string | undefined>((resolve) => {
        const onAbort = () => {
          if (onAnswer !== resolveAnswer) return;
          onAnswer = undefined;
          state = "idle";
          echo = false;
          output.write("\n");
          resolve(undefined);
        };
        const resolveAnswer = (line: string | undefined) => {
          signal.removeEventListener("abort", onAbort);
          resolve(line);
        };
        rl.setPrompt(question);
        clearLine();
        pastedIntoAnswer = false;
        onAnswer = resolveAnswer;
        state = "asking";
        echo = true;
        rl.prompt();
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    onInterrupt(handler) {
      interruptHandler = handler;
    },
    close() {
      input.off("keypress", onKeypress);
      output.write(PASTE_OFF);
      rl.close();
    },
  };
}
