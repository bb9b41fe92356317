import { expect, test } from "bun:test";
import { EventSchemas } from "@ag-ui/core/schemas";
import { AguiTranslator } from "../../src/server/agui-translate.ts";
import type { RunEvent, RunEventInput } from "../../src/spec/events.ts";

const envelope = { v: 1 as const, ts: "2026-01-01T00:00:00.000Z", agent: "ops" };
const ev = (event: RunEventInput, runId = "r1"): RunEvent =>
  ({ ...event, ...envelope, run_id: runId }) as RunEvent;
const end = (status: "ok" | "awaiting_approval" | "failed" | "interrupted", stop = "answer"): RunEvent =>
  ev({
    type: "run_end",
    status,
    stop_reason: stop as "answer",
    answer: status === "ok" ? "hello world" : "",
    usage: { input_tokens: 1, output_tokens: 2, cost_usd: 0 },
    cost_usd: 0,
    turns: 1,
    duration_ms: 5,
    refused_calls: 0,
  });

function translateAll(events: RunEvent[], interrupts = () => []) {
  const translator = new AguiTranslator({ threadId: "t", runId: "srv-1" }, interrupts);
  const out = events.flatMap((event) => translator.translate(event));
  for (const event of out) expect(EventSchemas.safeParse(event).success).toBe(true);
  return out;
}

test("text deltas become one assistant message; a tool call closes it; run_end ok is RUN_FINISHED success", () => {
  const out = translateAll([
    ev({ type: "run_start", model: "m", prompt: "p" }),
    ev({ type: "text_delta", text: "hello " }),
    ev({ type: "text_delta", text: "" }),
    ev({ type: "tool_call", id: "c1", name: "sh", args: { command: "ls" } }),
    ev({ type: "tool_result", id: "c1", name: "sh", ok: true, output: "a\n", duration_ms: 3 }),
    ev({ type: "text_delta", text: "world" }),
    ev({ type: "message", role: "assistant", content: "world" }),
    end("ok"),
  ]);
  expect(out.map((e) => String(e.type))).toEqual([
    "RUN_STARTED",
    "TEXT_MESSAGE_START",
    "TEXT_MESSAGE_CONTENT",
    "TEXT_MESSAGE_END",
    "TOOL_CALL_START",
    "TOOL_CALL_ARGS",
    "TOOL_CALL_END",
    "TOOL_CALL_RESULT",
    "CUSTOM",
    "TEXT_MESSAGE_START",
    "TEXT_MESSAGE_CONTENT",
    "TEXT_MESSAGE_END",
    "CUSTOM",
    "RUN_FINISHED",
  ]);
  expect(out[0]).toMatchObject({ threadId: "t", runId: "srv-1" });
  expect(out[5]).toMatchObject({ toolCallId: "c1", delta: '{"command":"ls"}' });
  expect(out.at(-1)).toMatchObject({ result: "hello world", outcome: { type: "success" } });
});

test("a sub-agent's events travel as CUSTOM events and never enter the parent's message", () => {
  const out = translateAll([
    ev({ type: "run_start", model: "m", prompt: "p" }),
    ev({ type: "text_delta", text: "child text" }, "child-1"),
    end("ok"),
  ]);
  expect(out[1]).toMatchObject({ type: "CUSTOM", name: "agentry.text_delta" });
  expect(out.some((e) => e.type === "TEXT_MESSAGE_CONTENT")).toBe(false);
});

test("awaiting approval ends with the interrupts; failures are RUN_ERROR; interrupted runs are cancelled", () => {
  const interrupt = { id: "r1-x", reason: "tool_approval", toolCallId: "c1" };
  const awaiting = translateAll(
    [ev({ type: "run_start", model: "m", prompt: "p" }), end("awaiting_approval", "awaiting_approval")],
    () => [interrupt] as never,
  );
  expect(awaiting.at(-1)).toMatchObject({
    type: "RUN_FINISHED",
    outcome: { type: "interrupt", interrupts: [interrupt] },
  });
  const failed = translateAll([
    ev({ type: "run_start", model: "m", prompt: "p" }),
    end("failed", "max_turns"),
  ]);
  expect(failed.at(-1)).toMatchObject({ type: "RUN_ERROR", code: "max_turns" });
  const stopped = translateAll([
    ev({ type: "run_start", model: "m", prompt: "p" }),
    end("interrupted", "interrupted"),
  ]);
  expect(stopped.at(-1)).toMatchObject({ type: "RUN_FINISHED", outcome: { type: "cancelled" } });
});

test("a run that fails before it starts still opens and closes the AG-UI run", () => {
  const translator = new AguiTranslator({ threadId: "t", runId: "srv-1" }, () => []);
  expect(translator.failed("run r1 is locked").map((e) => String(e.type))).toEqual([
    "RUN_STARTED",
    "RUN_ERROR",
  ]);
});
