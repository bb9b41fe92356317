/**
 * Characters a terminal acts on instead of showing: C0 controls but tab, line feed and carriage
 * return (ESC starts colour, cursor, title and clipboard sequences), DEL, C1 controls, and the
 * bidirectional overrides and isolates that reorder what is shown.
 */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` as a terminal should show text it did not write itself (a model's answer and arguments,
 * tool output, a provider's error): every character in TERMINAL_CONTROLS is spelled out as
 * `\u{1b}`, so such text can neither colour, move, retitle nor write the clipboard, nor hide
 * what is shown.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (char) => `\\u{${(char.codePointAt(0) as number).toString(16)}}`);
}

/**
 * `value` (a string as it is, anything else as JSON) on one line, whole, with runs of whitespace as
 * one space and terminal controls spelled out (`terminalSafe`). For what a human decides on (an
 * approval question, `approvals list`): a cut preview lets a model pad a call so that what it
 * really does lies past the cut, and the human approves what they never saw.
 */
export function oneLine(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return terminalSafe(text.replace(/\s+/g, " ").trim());
}

/** Short, single-line previews for the terminal, with terminal controls spelled out (`terminalSafe`). */
export function preview(value: unknown, max = 100): string {
  const line = oneLine(value);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `1.2s`, `340ms`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

/** `$0.0123`, with more precision for tiny amounts. */
export function formatUsd(usd: number): string {
  return usd >= 0.01 || usd === 0 ? `$${usd.toFixed(usd === 0 ? 2 : 4)}` : `$${usd.toPrecision(2)}`;
}
