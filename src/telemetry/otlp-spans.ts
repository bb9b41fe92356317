import type { AgentSpan, RunTree, ToolSpan, TurnSpan } from "../observe/run-tree.ts";
import type { TelemetrySettings } from "./settings.ts";

/** An OTLP/JSON attribute (`AnyValue` limited to what agentry sends). */
export interface OtlpAttribute {
  key: string;
  value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
}

/** An OTLP/JSON span: ids in hex, times as decimal strings of Unix nanoseconds. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: { code: number; message?: string };
}

/** The `ExportTraceServiceRequest` body of OTLP/HTTP with JSON encoding. */
export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

const SPAN_KIND = { internal: 1, client: 3 } as const;
const STATUS = { unset: 0, ok: 1, error: 2 } as const;

/** What span building needs besides the tree: random ids and the provider behind a model reference. */
export interface SpanDeps {
  /** `bytes` random bytes as lowercase hex. */
  randomHex(bytes: number): string;
  /** `gen_ai.provider.name` of a `provider/model` reference (`openai`, `anthropic`, `gcp.gemini`…). */
  providerName(modelRef: string): string;
  version?: string;
}

/**
 * The run as GenAI spans (OpenTelemetry semantic conventions): `invoke_agent {agent}` for each
 * agent, `chat {model}` for each model request and `execute_tool {tool}` for each tool call under
 * it, a sub-agent's `invoke_agent` under the tool call that started it, plus `agentry.*`
 * governance attributes. Everything comes from the redacted record; message content (still
 * redacted) only with `captureContent`. A `TRACEPARENT` makes the run a child of that span.
 */
export function runToOtlp(tree: RunTree, settings: TelemetrySettings, deps: SpanDeps): OtlpTraceRequest {
  const traceId = settings.parent?.traceId ?? deps.randomHex(16);
  const spans: OtlpSpan[] = [];
  const content = settings.captureContent;
  const span = (
    name: string,
    kind: number,
    parentSpanId: string | undefined,
    start: number,
    end: number,
    attributes: Record<string, string | number | boolean | undefined>,
    error?: string,
  ): string => {
    const spanId = deps.randomHex(8);
    spans.push({
      traceId,
      spanId,
      ...(parentSpanId ? { parentSpanId } : {}),
      name,
      kind,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(Math.max(start, end)),
      attributes: toAttributes(attributes),
      status: error ? { code: STATUS.error, message: error } : { code: STATUS.unset },
    });
    return spanId;
  };

  const agentSpan = (agent: AgentSpan, parentSpanId: string | undefined, isRoot: boolean): void => {
    const failed = agent.status === "failed" || agent.status === "interrupted";
    const usage = agentUsage(agent);
    const id = span(
      `invoke_agent ${agent.agent}`,
      SPAN_KIND.internal,
      parentSpanId,
      agent.start,
      agent.end ?? agent.start,
      {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": agent.agent,
        "gen_ai.agent.id": agent.runId,
        "gen_ai.request.model": modelName(agent.model),
        "gen_ai.provider.name": agent.model ? deps.providerName(agent.model) : undefined,
        "gen_ai.usage.input_tokens": usage.input,
        "gen_ai.usage.output_tokens": usage.output,
        "agentry.run.id": agent.runId,
        "agentry.run.status": agent.status,
        "agentry.run.stop_reason": agent.stopReason,
        "agentry.cost_usd": isRoot ? tree.runEnd?.cost_usd : undefined,
        "agentry.refused_calls": isRoot ? tree.runEnd?.refused_calls : undefined,
        "gen_ai.input.messages": content
          ? messages("user", isRoot ? tree.prompt : (agent.task ?? ""))
          : undefined,
        "gen_ai.output.messages":
          content && isRoot && tree.runEnd ? messages("assistant", tree.runEnd.answer) : undefined,
      },
      failed ? (agent.stopReason ?? "error") : undefined,
    );
    for (const item of agent.items) {
      if (item.kind === "turn") turnSpan(item, agent, id);
      else toolSpan(item, id);
    }
    for (const child of agent.children) agentSpan(child, id, false);
  };

  const turnSpan = (turn: TurnSpan, agent: AgentSpan, parentSpanId: string): void => {
    const model = turn.model ?? agent.model ?? "";
    const waited = turn.retries.reduce((sum, retry) => sum + retry.delayMs, 0);
    span(
      `chat ${modelName(model)}`,
      SPAN_KIND.client,
      parentSpanId,
      turn.start,
      turn.end,
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": deps.providerName(model),
        "gen_ai.request.model": modelName(model),
        "gen_ai.usage.input_tokens": turn.inputTokens,
        "gen_ai.usage.output_tokens": turn.outputTokens,
        "gen_ai.agent.name": agent.agent,
        "agentry.turn": turn.turn,
        "agentry.ttft_ms": turn.ttftMs,
        "agentry.retries": turn.retries.length || undefined,
        "agentry.retry_wait_ms": waited || undefined,
        "agentry.rate_limited": turn.retries.some((retry) => retry.status === 429) || undefined,
        "gen_ai.output.messages": content && turn.text ? messages("assistant", turn.text) : undefined,
      },
      turn.failed ? "provider_error" : undefined,
    );
  };

  const toolSpan = (tool: ToolSpan, parentSpanId: string): void => {
    const failure =
      tool.outcome === "ok" || tool.outcome === "running" ? undefined : (tool.stoppedBy ?? "tool_error");
    const id = span(
      `execute_tool ${tool.name}`,
      SPAN_KIND.internal,
      parentSpanId,
      tool.start,
      tool.end ?? tool.start,
      {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": tool.name,
        "gen_ai.tool.call.id": tool.id,
        "gen_ai.tool.type": "function",
        "agentry.governance.outcome": tool.outcome,
        "agentry.governance.stopped_by": tool.stoppedBy,
        "agentry.governance.approval": tool.approval,
        "error.type": failure,
        "gen_ai.tool.call.arguments": content ? JSON.stringify(tool.args ?? {}) : undefined,
        "gen_ai.tool.call.result": content ? (tool.outcome === "ok" ? tool.output : tool.error) : undefined,
      },
      failure,
    );
    if (tool.child) agentSpan(tool.child, id, false);
  };

  agentSpan(tree.root, settings.parent?.spanId, true);
  return {
    resourceSpans: [
      {
        resource: {
          attributes: toAttributes({ "service.name": settings.serviceName, "service.version": deps.version }),
        },
        scopeSpans: [
          { scope: { name: "agentry", ...(deps.version ? { version: deps.version } : {}) }, spans },
        ],
      },
    ],
  };
}

function agentUsage(agent: AgentSpan): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (const item of agent.items) {
    if (item.kind === "turn") {
      input += item.inputTokens;
      output += item.outputTokens;
    }
  }
  return { input, output };
}

/** `gpt-4.1-mini` of `openai/gpt-4.1-mini`. */
function modelName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const slash = ref.indexOf("/");
  return slash >= 0 ? ref.slice(slash + 1) : ref;
}

function messages(role: "user" | "assistant", text: string): string {
  return JSON.stringify([{ role, parts: [{ type: "text", content: text }] }]);
}

function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function toAttributes(values: Record<string, string | number | boolean | undefined>): OtlpAttribute[] {
  const attributes: OtlpAttribute[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof value === "string") attributes.push({ key, value: { stringValue: value } });
    else if (typeof value === "boolean") attributes.push({ key, value: { boolValue: value } });
    else if (Number.isInteger(value)) attributes.push({ key, value: { intValue: String(value) } });
    else attributes.push({ key, value: { doubleValue: value } });
  }
  return attributes;
}
