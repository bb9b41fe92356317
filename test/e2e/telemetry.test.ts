import { afterEach, describe, expect, test } from "bun:test";
import type { MockProvider } from "../../src/testing/index.ts";
import { runBinary } from "../support/binary.ts";
import { OBSERVED_SECRETS, observedEnv, startObservedRun } from "../support/observed-run.ts";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../support/otlp-receiver.ts";
import type { Workspace } from "../support/workspace.ts";

let mock: MockProvider | undefined;
let ws: Workspace | undefined;
let receiver: OtlpReceiver | undefined;

afterEach(async () => {
  await mock?.close();
  await receiver?.close();
  ws?.remove();
  mock = undefined;
  receiver = undefined;
});

const PROMPT = `tidy up for ${OBSERVED_SECRETS.email}`;

async function observedRun(env: Record<string, string | undefined>, extraConfig = "") {
  ({ mock, ws } = await startObservedRun(extraConfig));
  const workspace = ws;
  return runBinary(["run", "-c", workspace.configPath, PROMPT], {
    cwd: workspace.dir,
    env: observedEnv(workspace, env),
    timeoutMs: 60_000,
  });
}

function only(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ReceivedSpan;
}

describe("OpenTelemetry export over OTLP/HTTP", () => {
  test("GenAI spans: agent → model turns and tool calls, each sub-agent under its tool call; no secret or PII", async () => {
    receiver = await startOtlpReceiver();
    const run = await observedRun({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20collector-key,x-tenant=ops",
    });
    expect(run.code).toBe(0);
    expect(receiver.exports.map((item) => item.path)).toEqual(["/v1/traces"]);
    const sent = receiver.exports[0];
    expect(sent?.headers["authorization"]).toBe("Bearer collector-key");
    expect(sent?.headers["x-tenant"]).toBe("ops");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.resource["service.name"]).toBe("agentry");
    const spans = receiver.spans();
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);

    const root = only(spans, "invoke_agent lead");
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "lead",
      "gen_ai.request.model": "m1",
      "gen_ai.provider.name": "openai-compatible",
      "agentry.run.status": "ok",
      "agentry.run.stop_reason": "answer",
    });
    const leadTurns = spans.filter((span) => span.name === "chat m1" && span.parentSpanId === root.spanId);
    expect(leadTurns.map((span) => span.attributes["agentry.turn"])).toEqual([1, 2]);
    expect(leadTurns[0]?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai-compatible",
      "gen_ai.request.model": "m1",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "agentry.retries": 1,
      "agentry.rate_limited": true,
    });
    expect(leadTurns[0]?.kind).toBe(3);

    for (const [tool, child, callId] of [
      ["agent_alpha", "alpha", "call_alpha"],
      ["agent_beta", "beta", "call_beta"],
    ] as const) {
      const call = only(spans, `execute_tool ${tool}`);
      expect(call.parentSpanId).toBe(root.spanId);
      expect(call.attributes).toMatchObject({
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": tool,
        "gen_ai.tool.call.id": callId,
        "agentry.governance.outcome": "ok",
      });
      const agent = only(spans, `invoke_agent ${child}`);
      expect(agent.parentSpanId).toBe(call.spanId);
      const turns = spans.filter((span) => span.parentSpanId === agent.spanId);
      expect(turns.map((span) => span.name)).toEqual(["chat m1"]);
      expect(agent.start >= call.start - 1_000_000n && agent.end <= call.end + 1_000_000n).toBe(true);
    }
    const denied = only(spans, "execute_tool sh");
    expect(denied.parentSpanId).toBe(root.spanId);
    expect(denied.attributes).toMatchObject({
      "gen_ai.tool.call.id": "call_rm",
      "agentry.governance.outcome": "denied",
      "agentry.governance.stopped_by": "approval",
      "error.type": "approval",
    });
    expect(denied.status.code).toBe(2);
    expect(spans).toHaveLength(10);

    const body = receiver.exports.map((item) => item.body).join("\n");
    expect(body).not.toContain(OBSERVED_SECRETS.email);
    expect(body).not.toContain(OBSERVED_SECRETS.token);
    expect(body).not.toContain("[PII:");
    expect(body).not.toContain("rm -rf");
    expect(body).not.toContain("tidy up");
    expect(body).not.toContain("gen_ai.input.messages");
  }, 90_000);

  test("a TRACEPARENT makes the run a child of the caller's span", async () => {
    receiver = await startOtlpReceiver();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = "00f067aa0ba902b7";
    const run = await observedRun({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
      TRACEPARENT: `00-${traceId}-${parent}-01`,
    });
    expect(run.code).toBe(0);
    expect(receiver.exports.map((item) => item.path)).toEqual(["/custom/traces"]);
    const spans = receiver.spans();
    expect(spans.every((span) => span.traceId === traceId)).toBe(true);
    expect(only(spans, "invoke_agent lead").parentSpanId).toBe(parent);
  }, 90_000);

  test("message content only with the GenAI opt-in variable, and still redacted", async () => {
    receiver = await startOtlpReceiver();
    const run = await observedRun({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true",
    });
    expect(run.code).toBe(0);
    const spans = receiver.spans();
    expect(only(spans, "execute_tool sh").attributes["gen_ai.tool.call.arguments"]).toBe(
      JSON.stringify({ command: "rm -rf build" }),
    );
    expect(String(only(spans, "invoke_agent lead").attributes["gen_ai.input.messages"])).toContain(
      "tidy up for [PII:email:",
    );
    const body = receiver.exports.map((item) => item.body).join("\n");
    expect(body).not.toContain(OBSERVED_SECRETS.email);
    expect(body).not.toContain(OBSERVED_SECRETS.token);
  }, 90_000);

  test("[telemetry] in the config exports too; enabled = false wins over the variables", async () => {
    receiver = await startOtlpReceiver();
    const configured = await observedRun(
      {},
      `\n[telemetry]\nendpoint = "${receiver.url}/v1/traces"\nheaders = { authorization = "Bearer \${OBSERVED_KEY}" }\n`,
    );
    expect(configured.code).toBe(0);
    expect(receiver.exports).toHaveLength(1);
    expect(receiver.exports[0]?.headers["authorization"]).toBe(`Bearer ${OBSERVED_SECRETS.token}`);
    await mock?.close();
    ws?.remove();
    const disabled = await observedRun(
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      "\n[telemetry]\nenabled = false\n",
    );
    expect(disabled.code).toBe(0);
    expect(receiver.exports).toHaveLength(1);
  }, 90_000);

  test("an unreachable or silent collector does not hold the exit: the export gives up after 2 s", async () => {
    receiver = await startOtlpReceiver({ hang: true });
    const started = performance.now();
    const run = await observedRun({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const elapsed = performance.now() - started;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("telemetry: trace export failed (no answer within 2000ms)");
    expect(elapsed).toBeLessThan(25_000);
    await receiver.close();
    receiver = undefined;
    const refused = await observedRun({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain("telemetry: trace export failed");
  }, 90_000);
});
