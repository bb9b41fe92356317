import type { AgentSpan, RunTree, ToolSpan, TurnSpan } from "../../observe/run-tree.ts";
import { formatDuration, preview } from "./format.ts";

/** What a row stands for; renderers colour by it. */
export type RowKind = "agent" | "turn" | "tool-ok" | "tool-failed" | "tool-refused" | "running";

/** One line of a waterfall: a span placed on the run's time axis, under its parent (`depth`). */
export interface WaterfallRow {
  depth: number;
  /** Tree guides for the terminal (`├─ `, `│  └─ `…). */
  guide: string;
  kind: RowKind;
  label: string;
  /** Facts shown after the label: tokens, time to first token, outcome. */
  detail: string;
  /** A second line under the row: a refusal reason, retries and 429 waits. */
  note?: string;
  /** Tree guides in front of the note in the terminal (`│  `…). */
  noteGuide: string;
  start: number;
  end: number;
}

/**
 * Flattens a run tree into waterfall rows, depth first: each agent, then its model turns and tool
 * calls in the order they started, each sub-agent right under the tool call that started it.
 * Concurrent calls are consecutive rows whose bars overlap in time.
 */
export function waterfallRows(tree: RunTree): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  const agent = (span: AgentSpan, depth: number, prefix: string, guide: string) => {
    rows.push({
      depth,
      guide,
      noteGuide: prefix,
      kind: span.status === "running" ? "running" : "agent",
      label: span.agent,
      detail: [span.model ?? "", span.status ? statusText(span.status, span.stopReason) : ""]
        .filter(Boolean)
        .join(" · "),
      start: span.start,
      end: span.end ?? span.start,
    });
    const items: (TurnSpan | ToolSpan | AgentSpan)[] = [...span.items, ...span.children].sort(
      (a, b) => a.start - b.start,
    );
    items.forEach((item, index) => {
      const last = index === items.length - 1;
      const own = `${prefix}${last ? "└─ " : "├─ "}`;
      const next = `${prefix}${last ? "   " : "│  "}`;
      if (item.kind === "agent") agent(item, depth + 1, next, own);
      else if (item.kind === "turn") rows.push(turnRow(item, depth + 1, own, next));
      else {
        rows.push(toolRow(item, depth + 1, own, next));
        if (item.child) agent(item.child, depth + 2, `${next}   `, `${next}└─ `);
      }
    });
  };
  agent(tree.root, 0, "", "");
  return rows;
}

function turnRow(turn: TurnSpan, depth: number, guide: string, notePrefix: string): WaterfallRow {
  const facts = [
    turn.failed ? "failed" : `${turn.inputTokens}→${turn.outputTokens} tok`,
    turn.ttftMs !== undefined ? `ttft ${formatDuration(turn.ttftMs)}` : "",
  ].filter(Boolean);
  const waited = turn.retries.reduce((sum, retry) => sum + retry.delayMs, 0);
  const limited = turn.retries.filter((retry) => retry.status === 429).length;
  const note =
    turn.retries.length > 0
      ? `↻ ${turn.retries.length} ${turn.retries.length === 1 ? "retry" : "retries"}${limited ? ` (${limited}× 429)` : ""}, waited ${formatDuration(waited)}`
      : undefined;
  return {
    depth,
    guide,
    kind: turn.failed ? "tool-failed" : "turn",
    label: `model turn ${turn.turn}`,
    detail: facts.join(" · "),
    ...(note ? { note } : {}),
    noteGuide: notePrefix,
    start: turn.start,
    end: turn.end,
  };
}

function toolRow(tool: ToolSpan, depth: number, guide: string, notePrefix: string): WaterfallRow {
  const kind =
    tool.outcome === "ok"
      ? "tool-ok"
      : tool.outcome === "running"
        ? "running"
        : tool.outcome === "error"
          ? "tool-failed"
          : "tool-refused";
  const outcome =
    tool.outcome === "denied" || tool.outcome === "refused"
      ? `${tool.outcome} by ${tool.stoppedBy ?? "policy"}`
      : tool.outcome === "error" && tool.stoppedBy
        ? `failed (${tool.stoppedBy})`
        : tool.outcome === "error"
          ? "failed"
          : tool.outcome;
  const note = tool.outcome !== "ok" && tool.error ? preview(tool.error, 110) : undefined;
  return {
    depth,
    guide,
    kind,
    label: `${tool.name} ${preview(tool.args, 40)}`,
    detail: [outcome, tool.approval ? `approval ${tool.approval}` : ""].filter(Boolean).join(" · "),
    ...(note ? { note } : {}),
    noteGuide: notePrefix,
    start: tool.start,
    end: tool.end ?? tool.start,
  };
}

function statusText(status: string, stopReason: string | undefined): string {
  return stopReason && stopReason !== "answer" ? `${status} (${stopReason})` : status;
}
