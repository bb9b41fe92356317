import { isTerminal } from "./terminal-fd.ts";

/**
 * The output contract of SPEC §2 in one place: the answer goes to stdout, everything else to
 * stderr; colour and spinners only on a TTY without NO_COLOR.
 */

/** The event `process` emits for an error of stdout, to the `watchStdout` listeners. */
const STDOUT_ERROR = "agentry:stdout-error";

/** Hands an error of the stdout stream to the `watchStdout` listeners; with none, throws it as an unheard `error` event would. */
function forwardStdoutError(err: unknown): void {
  if (!process.emit(STDOUT_ERROR, err)) throw err;
}

/**
 * `process.stdout`, its errors going to the `watchStdout` listeners. Creating the stream loads
 * Bun's stream machinery (start-up, src/cli/terminal-fd.ts), so `agentry run` creates it only
 * when it first writes; commands that write to it directly call this before they start (`main`).
 */
export function stdoutStream(): NodeJS.WriteStream {
  const out = process.stdout;
  if (!out.listeners("error").includes(forwardStdoutError)) out.on("error", forwardStdoutError);
  return out;
}

/**
 * Calls `listener` with every error of stdout from the moment the stream exists (`stdoutStream`);
 * does not create it. Returns the remover.
 */
export function watchStdout(listener: (err: unknown) => void): () => void {
  process.on(STDOUT_ERROR, listener);
  return () => process.off(STDOUT_ERROR, listener);
}

/**
 * Writes answer text to stdout. Nothing but the answer (or JSON events) may go through here.
 * Once the reader has closed the pipe, writes are dropped; a broken pipe reported synchronously
 * is turned into the stream's `error` event, which `settleCommand` and `onStdoutClosed` handle.
 */
export function writeAnswer(text: string): void {
  const out = stdoutStream();
  if (!out.writable) return;
  try {
    out.write(text);
  } catch (err) {
    if (!isBrokenPipe(err)) throw err;
    out.emit("error", err);
  }
}

/** Whether an error says the reader of a pipe went away (EPIPE). */
export function isBrokenPipe(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * Calls `onClosed` once when the reader of stdout goes away (EPIPE), e.g. to stop a run as if
 * interrupted. Other stdout errors are left to `main`, which rethrows them. Returns the remover.
 */
export function onStdoutClosed(onClosed: () => void): () => void {
  let fired = false;
  const listener = (err: unknown) => {
    if (!isBrokenPipe(err) || fired) return;
    fired = true;
    onClosed();
  };
  return watchStdout(listener);
}

/** Writes diagnostics, progress and summaries to stderr. */
export function writeInfo(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Whether stderr may carry colour and spinners. */
export function stderrIsInteractive(): boolean {
  return isTerminal(2) && !colorDisabled() && (process.stderr.columns ?? 0) > 0;
}

/** NO_COLOR (any non-empty value) or TERM=dumb disables colour everywhere. */
export function colorDisabled(): boolean {
  const noColor = process.env["NO_COLOR"];
  return (noColor !== undefined && noColor !== "") || process.env["TERM"] === "dumb";
}

/**
 * Whether we may ask the user questions (approval prompts): stdin is a terminal and CI is unset.
 * Asks the descriptor (`isTerminal(0)`, what `process.stdin.isTTY` reports) so that a run which
 * never reads stdin does not build the stream (≈ 1.5 ms of start-up).
 */
export function stdinIsInteractive(): boolean {
  return isTerminal(0) && process.env["CI"] === undefined;
}
