/**
 * The output contract of SPEC §2 in one place: the answer goes to stdout, everything else to
 * stderr; colour and spinners only on a TTY without NO_COLOR.
 */

/** Writes answer text to stdout. Nothing but the answer (or JSON events) may go through here. */
export function writeAnswer(text: string): void {
  process.stdout.write(text);
}

/** Writes diagnostics, progress and summaries to stderr. */
export function writeInfo(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Whether stderr may carry colour and spinners. */
export function stderrIsInteractive(): boolean {
  return Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0 && !colorDisabled();
}

/** NO_COLOR (any non-empty value) or TERM=dumb disables colour everywhere. */
export function colorDisabled(): boolean {
  const noColor = process.env["NO_COLOR"];
  return (noColor !== undefined && noColor !== "") || process.env["TERM"] === "dumb";
}

/** Whether we may ask the user questions (approval prompts). */
export function stdinIsInteractive(): boolean {
  return Boolean(process.stdin.isTTY) && process.env["CI"] === undefined;
}
