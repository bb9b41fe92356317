import { isRefusal } from "../middleware/layer-names.ts";
import type { SerializedError } from "../spec/errors.ts";
import type { RunEndEvent, RunEvent, RunStatus } from "../spec/events.ts";

/** One retry sleep of a model request (a 429 wait, an overloaded server…). */
export interface RetrySpan {
  at: number;
  attempt: number;
  delayMs: number;
  status?: number;
  kind?: string;
}

/** One model request: from the request to the end of the response, retries included. */
export interface TurnSpan {
  kind: "turn";
  turn: number;
  model?: string;
  start: number;
  end: number;
  ttftMs?: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  retries: RetrySpan[];
  /** The request failed (after its retries): the agent stopped with a provider error. */
  failed?: boolean;
  /** What the model said in this turn (redacted), for the transcript and opt-in telemetry. */
  text?: string;
}

/** How a tool call ended, as governance sees it. */
export type ToolOutcome = "ok" | "error" | "refused" | "denied" | "running";

/** One tool call, with the sub-agent it started (if any). */
export interface ToolSpan {
  kind: "tool";
  id: string;
  name: string;
  args: unknown;
  start: number;
  end?: number;
  outcome: ToolOutcome;
  output?: string;
  error?: string;
  /** The governance layer that refused the call. */
  stoppedBy?: string;
  /** The approval decision on this call, if one was asked. */
  approval?: string;
  child?: AgentSpan;
}

/** One agent of the run: the top-level agent or a sub-agent. */
export interface AgentSpan {
  kind: "agent";
  runId: string;
  agent: string;
  model?: string;
  task?: string;
  start: number;
  end?: number;
  status?: RunStatus | "running";
  stopReason?: string;
  /** Model turns and tool calls in the order they started. */
  items: (TurnSpan | ToolSpan)[];
  /** Sub-agents not started by a tool call (flow steps). */
  children: AgentSpan[];
}

/** One entry of the governance log: approvals, refusals, timeouts and policy stops. */
export interface GovernanceEntry {
  at: number;
  agent: string;
  kind: "approval" | "refusal" | "stop";
  tool?: string;
  callId?: string;
  /** `asked`/`granted`/`denied`/`deferred` for approvals; the layer for refusals; the stop reason. */
  decision: string;
  rule?: string;
  by?: string;
  detail?: string;
}

/** One line of the redacted transcript. */
export interface TranscriptEntry {
  at: number;
  agent: string;
  role: "user" | "assistant" | "tool";
  text: string;
  ok?: boolean;
}

/** A run rebuilt from its recorded events. */
export interface RunTree {
  runId: string;
  root: AgentSpan;
  prompt: string;
  start: number;
  end: number;
  runEnd?: RunEndEvent;
  /** The run's budget, when it had one. */
  budget?: { usd?: number; tokens?: number };
  governance: GovernanceEntry[];
  transcript: TranscriptEntry[];
  warnings: string[];
  errors: SerializedError[];
  /** Redaction placeholders seen in the record, by kind (e.g. `email` → 2). */
  redactions: Record<string, number>;
}

const FRAME = /^<tool_output [^>\n]*>\n?([\s\S]*?)\n?<\/tool_output>$/;
const PLACEHOLDER = /\[PII:([a-z_]+):[0-9a-f]{6,64}\]/g;

/**
 * Rebuilds the run tree (agent → model turns and tool calls → sub-agents) from a run's events.
 * Model turns start `duration_ms` before their `usage` event; retries are the retry warnings
 * inside a turn; a sub-agent hangs under the tool call that started it (`subagent_start.call_id`).
 * `now` closes spans of a run that is still going; event types this version does not know (a record
 * written by a newer agentry) are skipped.
 */
export function buildRunTree(events: readonly RunEvent[], now: number = Date.now()): RunTree | undefined {
  const first = events.find((event) => event.type === "run_start");
  if (first?.type !== "run_start") return undefined;
  const at = (event: RunEvent) => Date.parse(event.ts);
  const root: AgentSpan = newAgent(first.run_id, first.agent, at(first), first.model);
  const tree: RunTree = {
    runId: first.run_id,
    root,
    prompt: first.prompt,
    start: at(first),
    end: at(first),
    ...(first.budget ? { budget: first.budget } : {}),
    governance: [],
    transcript: [{ at: at(first), agent: first.agent, role: "user", text: first.prompt }],
    warnings: [],
    errors: [],
    redactions: {},
  };
  const agents = new Map<string, AgentSpan>([[root.runId, root]]);
  const tools = new Map<string, ToolSpan>();
  const pendingRetries = new Map<string, RetrySpan[]>();
  const askedRules = new Map<string, string>();
  /**
   * Calls whose refusal a governance layer announced with a warning (run id and call id). A tool
   * refusing under its own rules (`tool_policy`: a shell deny rule, the SSRF guard, a path outside
   * the root) says so only in its `tool_result`, so that one is logged from there.
   */
  const warnedRefusals = new Set<string>();
  const agentOf = (event: RunEvent): AgentSpan => {
    let agent = agents.get(event.run_id);
    if (!agent) {
      agent = newAgent(event.run_id, event.agent, at(event));
      agents.set(event.run_id, agent);
      root.children.push(agent);
    }
    return agent;
  };
  for (const event of events) {
    countRedactions(event, tree.redactions);
    const ts = at(event);
    tree.end = Math.max(tree.end, ts);
    const agent = agentOf(event);
    switch (event.type) {
      case "run_start":
      case "text_delta":
        break;
      case "message":
        tree.transcript.push({ at: ts, agent: event.agent, role: "assistant", text: event.content });
        setTurnText(agent, event.content);
        break;
      case "usage": {
        const start = event.duration_ms !== undefined ? ts - event.duration_ms : previousEnd(agent);
        const retries = (pendingRetries.get(agent.runId) ?? []).filter((retry) => retry.at >= start - 1);
        pendingRetries.delete(agent.runId);
        agent.items.push({
          kind: "turn",
          turn: event.turn,
          ...(event.model ? { model: event.model } : {}),
          start,
          end: ts,
          ...(event.ttft_ms !== undefined ? { ttftMs: event.ttft_ms } : {}),
          inputTokens: event.input_tokens,
          outputTokens: event.output_tokens,
          costUsd: event.cost_usd,
          retries,
        });
        agent.model ??= event.model;
        break;
      }
      case "tool_call": {
        const tool: ToolSpan = {
          kind: "tool",
          id: event.id,
          name: event.name,
          args: event.args,
          start: ts,
          outcome: "running",
        };
        agent.items.push(tool);
        tools.set(`${agent.runId}\u0000${event.id}`, tool);
        break;
      }
      case "tool_result": {
        const tool = tools.get(`${agent.runId}\u0000${event.id}`);
        if (!tool) break;
        tool.end = ts;
        tool.start = Math.min(tool.start, ts - event.duration_ms);
        if (event.output !== undefined) tool.output = event.output;
        if (event.error !== undefined) tool.error = event.error;
        if (event.stopped_by !== undefined) tool.stoppedBy = event.stopped_by;
        tool.outcome = event.ok
          ? "ok"
          : event.stopped_by === "approval" || tool.approval === "denied"
            ? "denied"
            : event.stopped_by
              ? "refused"
              : "error";
        tree.transcript.push({
          at: ts,
          agent: event.agent,
          role: "tool",
          text: `${event.name}: ${event.ok ? unframed(event.output ?? "") : (event.error ?? "")}`,
          ok: event.ok,
        });
        if (
          !event.ok &&
          isRefusal(event.stopped_by) &&
          !warnedRefusals.has(`${agent.runId}\u0000${event.id}`)
        ) {
          tree.governance.push({
            at: ts,
            agent: event.agent,
            kind: "refusal",
            decision: `refused (${event.stopped_by})`,
            tool: event.name,
            callId: event.id,
            ...(event.error ? { detail: event.error } : {}),
          });
        }
        break;
      }
      case "approval": {
        if (event.rule) askedRules.set(event.approval_id, event.rule);
        const rule = event.rule ?? askedRules.get(event.approval_id);
        tree.governance.push({
          at: ts,
          agent: event.agent,
          kind: "approval",
          tool: event.tool,
          decision: event.state,
          ...(rule ? { rule } : {}),
          ...(event.by ? { by: event.by } : {}),
          ...(event.reason ? { detail: event.reason } : {}),
        });
        const open = [...agent.items]
          .reverse()
          .find(
            (item): item is ToolSpan =>
              item.kind === "tool" && item.name === event.tool && item.end === undefined,
          );
        if (open) open.approval = event.state;
        break;
      }
      case "subagent_start": {
        const child = newAgent(event.child_run_id, event.child_agent, ts);
        child.task = event.task;
        agents.set(child.runId, child);
        const tool = event.call_id ? tools.get(`${agent.runId}\u0000${event.call_id}`) : undefined;
        if (tool) tool.child = child;
        else agent.children.push(child);
        break;
      }
      case "subagent_end": {
        const child = agents.get(event.child_run_id);
        if (!child) break;
        child.end = ts;
        child.status = event.status;
        child.stopReason = event.stop_reason;
        closeFailedTurn(child, pendingRetries, ts);
        break;
      }
      case "warning": {
        const data = event.data ?? {};
        if (typeof data["retry"] === "number") {
          const retries = pendingRetries.get(agent.runId) ?? [];
          retries.push({
            at: ts,
            attempt: data["retry"],
            delayMs: typeof data["delay_ms"] === "number" ? data["delay_ms"] : 0,
            ...(typeof data["status"] === "number" ? { status: data["status"] } : {}),
            ...(typeof data["error_kind"] === "string" ? { kind: data["error_kind"] } : {}),
          });
          pendingRetries.set(agent.runId, retries);
        } else if (typeof data["stopped_by"] === "string") {
          const callId = typeof data["call_id"] === "string" ? data["call_id"] : undefined;
          if (callId) warnedRefusals.add(`${agent.runId}\u0000${callId}`);
          tree.governance.push({
            at: ts,
            agent: event.agent,
            kind: "refusal",
            decision:
              data["stopped_by"] === "approval" ? "denied (approval)" : `refused (${data["stopped_by"]})`,
            ...(typeof data["tool"] === "string" ? { tool: data["tool"] } : {}),
            ...(callId ? { callId } : {}),
            ...(typeof data["rule"] === "string" ? { rule: data["rule"] } : {}),
            detail: event.message,
          });
        }
        tree.warnings.push(event.message);
        break;
      }
      case "error":
        tree.errors.push(event.error);
        break;
      case "run_end":
        if (event.run_id !== root.runId) break;
        tree.runEnd = event;
        root.end = ts;
        root.status = event.status;
        root.stopReason = event.stop_reason;
        if (event.error) tree.errors.push(event.error);
        if (!["answer", "awaiting_approval"].includes(event.stop_reason)) {
          tree.governance.push({ at: ts, agent: event.agent, kind: "stop", decision: event.stop_reason });
        }
        closeFailedTurn(root, pendingRetries, ts);
        break;
      default: {
        const _newer: never = event;
        break;
      }
    }
  }
  if (!tree.runEnd) tree.end = Math.max(tree.end, now);
  closeOpen(root, tree.end);
  return tree;
}

function newAgent(runId: string, agent: string, start: number, model?: string): AgentSpan {
  return { kind: "agent", runId, agent, start, ...(model ? { model } : {}), items: [], children: [] };
}

function lastTurn(agent: AgentSpan): TurnSpan | undefined {
  for (let i = agent.items.length - 1; i >= 0; i--) {
    const item = agent.items[i];
    if (item?.kind === "turn") return item;
  }
  return undefined;
}

function setTurnText(agent: AgentSpan, text: string): void {
  const turn = lastTurn(agent);
  if (turn) turn.text = text;
}

function previousEnd(agent: AgentSpan): number {
  let end = agent.start;
  for (const item of agent.items) end = Math.max(end, item.end ?? item.start);
  return end;
}

/** An agent that stopped on a provider error made one more request than it has turns: that one failed. */
function closeFailedTurn(agent: AgentSpan, pendingRetries: Map<string, RetrySpan[]>, end: number): void {
  if (agent.stopReason !== "provider_error") return;
  const turns = agent.items.filter((item) => item.kind === "turn").length;
  agent.items.push({
    kind: "turn",
    turn: turns + 1,
    ...(agent.model ? { model: agent.model } : {}),
    start: previousEnd(agent),
    end,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    retries: pendingRetries.get(agent.runId) ?? [],
    failed: true,
  });
  pendingRetries.delete(agent.runId);
}

function closeOpen(agent: AgentSpan, end: number): void {
  agent.end ??= end;
  agent.status ??= "running";
  for (const item of agent.items) {
    if (item.kind !== "tool") continue;
    item.end ??= end;
    if (item.child) closeOpen(item.child, item.end);
  }
  for (const child of agent.children) closeOpen(child, end);
}

function countRedactions(event: RunEvent, counts: Record<string, number>): void {
  if (event.type === "text_delta") return;
  const text = JSON.stringify(event);
  if (!text.includes("[PII:")) return;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const kind = match[1] as string;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
}

/** Tool output without the `<tool_output … untrusted='true'>` frame put around it for the model. */
function unframed(output: string): string {
  return FRAME.exec(output)?.[1] ?? output;
}
