import type { RunTree } from "../../observe/run-tree.ts";
import { formatDuration, formatUsd } from "./format.ts";
import { type RowKind, waterfallRows } from "./waterfall-rows.ts";

const LABEL_WIDTH = 60;
const BAR_WIDTH = 36;

const COLOURS: Record<RowKind, string> = {
  agent: "\u001b[35m",
  turn: "\u001b[36m",
  "tool-ok": "\u001b[32m",
  "tool-failed": "\u001b[31m",
  "tool-refused": "\u001b[33m",
  running: "\u001b[2m",
};
const RESET = "\u001b[0m";
const DIM = "\u001b[2m";

/** How to draw: colour only on a TTY without NO_COLOR; the exit code when the record knows it. */
export interface WaterfallOptions {
  color: boolean;
  exitCode?: number;
}

/**
 * The run as a terminal waterfall: a header (agent, status, exit code, tokens, cost, duration),
 * then one row per agent, model turn and tool call with a bar on the run's time axis, so work
 * done in parallel shows as bars over the same columns. Refusal reasons and retries follow their
 * row on a line of their own.
 */
export function renderWaterfall(tree: RunTree, options: WaterfallOptions): string {
  const paint = (kind: RowKind | "dim", text: string) =>
    options.color ? `${kind === "dim" ? DIM : COLOURS[kind]}${text}${RESET}` : text;
  const total = Math.max(1, tree.end - tree.start);
  const end = tree.runEnd;
  const lines: string[] = [];
  const status = end ? `${end.status} (${end.stop_reason})` : "running";
  lines.push(
    `run ${tree.runId} · agent ${tree.root.agent} · ${status}${options.exitCode !== undefined ? ` · exit ${options.exitCode}` : ""}`,
  );
  if (end) {
    lines.push(
      `${tree.root.model ?? ""} · ${end.turns} turns · ${end.usage.input_tokens} in / ${end.usage.output_tokens} out tokens · ${formatUsd(end.cost_usd)} · ${formatDuration(end.duration_ms)}`,
    );
  }
  lines.push("");
  const axisEnd = formatDuration(total);
  lines.push(
    `${" ".repeat(LABEL_WIDTH)} ${paint("dim", `0${" ".repeat(Math.max(1, BAR_WIDTH - 1 - axisEnd.length))}${axisEnd}`)}`,
  );
  for (const row of waterfallRows(tree)) {
    const label = fit(`${row.guide}${row.label}${row.detail ? `  ${row.detail}` : ""}`, LABEL_WIDTH);
    const from = Math.min(BAR_WIDTH - 1, Math.floor(((row.start - tree.start) / total) * BAR_WIDTH));
    const to = Math.max(
      from + 1,
      Math.min(BAR_WIDTH, Math.ceil(((row.end - tree.start) / total) * BAR_WIDTH)),
    );
    const bar = `${" ".repeat(from)}${paint(row.kind, "█".repeat(to - from))}${" ".repeat(BAR_WIDTH - to)}`;
    lines.push(`${label} ${bar} ${formatDuration(row.end - row.start)}`);
    if (row.note)
      lines.push(paint("dim", fit(`${row.noteGuide}   ${row.note}`, LABEL_WIDTH + BAR_WIDTH + 10).trimEnd()));
  }
  return `${lines.join("\n")}\n`;
}

function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, width - 1).join("")}…`;
  return text + " ".repeat(width - chars.length);
}
