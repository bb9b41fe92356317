import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { type LoopOptions, type ModelPort, runLoop } from "../../src/agent/loop.ts";
import { UsageMeter } from "../../src/agent/usage-meter.ts";
import { createRedactor } from "../../src/redact/index.ts";
import { ProviderError } from "../../src/spec/errors.ts";
import type { RunEventInput } from "../../src/spec/events.ts";
import type { Message, ModelEvent, ToolCall } from "../../src/spec/model.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import type { Tool, ToolResult } from "../../src/spec/tool.ts";
import { unexpectedApprover } from "../middleware/support.ts";

type Turn = { text?: string; calls?: ToolCall[]; error?: ProviderError; usage?: [number, number] };

function scriptedModel(turns: Turn[], seen: Message[][] = []): ModelPort {
  let index = 0;
  return {
    ref: "mock/test",
    async *stream(request) {
      seen.push(structuredClone(request.messages));
      const turn = turns[index++];
      if (!turn) throw new Error("script exhausted");
      if (turn.text)
        for (const piece of turn.text.split(/(?<= )/))
          yield { type: "text-delta", text: piece } as ModelEvent;
      for (const [i, call] of (turn.calls ?? []).entries()) yield { type: "tool-call-end", index: i, call };
      if (turn.usage)
        yield { type: "usage", usage: { inputTokens: turn.usage[0], outputTokens: turn.usage[1] } };
      if (turn.error) yield { type: "error", error: turn.error };
      else yield { type: "finish", reason: turn.calls?.length ? "tool-calls" : "stop" };
    },
  };
}

const echo: Tool<{ text: string }> = {
  name: "echo",
  description: "echoes",
  parameters: z.object({ text: z.string() }),
  readOnly: true,
  execute: async (args) => ({ ok: true, output: `echo:${args.text}` }),
};

function options(
  model: ModelPort,
  overrides: Partial<LoopOptions> = {},
): LoopOptions & { events: RunEventInput[] } {
  const events: RunEventInput[] = [];
  return {
    events,
    runId: "r1",
    agent: "a",
    model,
    system: "sys",
    messages: [{ role: "user", content: "hi" }],
    tools: new Map<string, Tool>([["echo", echo as Tool]]),
    toolSchemas: [],
    parseArguments: (raw, schema) => {
      try {
        const parsed = schema.safeParse(JSON.parse(raw || "{}"));
        return parsed.success
          ? { ok: true, args: parsed.data, repaired: false }
          : { ok: false, error: parsed.error.message };
      } catch (err) {
        return { ok: false, error: String(err) };
      }
    },
    execute: (_ctx, call) =>
      call.tool.execute(call.args, { signal: call.signal, runId: "r1", agent: "a", callId: call.id }),
    governance: { approver: unexpectedApprover, redactor: createRedactor() },
    maxTurns: 5,
    meter: new UsageMeter(),
    cost: (usage) => usage.inputTokens / 1000,
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    now: () => 0,
    ...overrides,
  };
}

describe("runLoop", () => {
  test("runs tool calls, feeds results back and ends with the answer", async () => {
    const seen: Message[][] = [];
    const model = scriptedModel(
      [
        {
          calls: [
            { id: "c1", name: "echo", arguments: '{"text":"a"}' },
            { id: "c2", name: "echo", arguments: '{"text":"b"}' },
          ],
        },
        { text: "done now", usage: [10, 2] },
      ],
      seen,
    );
    const opts = options(model);
    const result = await runLoop(opts);
    expect(result).toMatchObject({ status: "ok", stopReason: "answer", answer: "done now", turns: 2 });
    expect(seen[1]?.slice(-2)).toEqual([
      { role: "tool", toolCallId: "c1", toolName: "echo", content: "echo:a" },
      { role: "tool", toolCallId: "c2", toolName: "echo", content: "echo:b" },
    ]);
    const types = opts.events.map((e) => e.type);
    expect(types.filter((t) => t === "tool_call")).toHaveLength(2);
    expect(types.filter((t) => t === "tool_result")).toHaveLength(2);
    expect(
      opts.events
        .filter((e) => e.type === "text_delta")
        .map((e) => (e as { text: string }).text)
        .join(""),
    ).toBe("done now");
  });

  test("unknown tools and invalid arguments become tool errors the model sees", async () => {
    const seen: Message[][] = [];
    const model = scriptedModel(
      [
        {
          calls: [
            { id: "c1", name: "nope", arguments: "{}" },
            { id: "c2", name: "echo", arguments: '{"text":1}' },
          ],
        },
        { text: "ok" },
      ],
      seen,
    );
    const result = await runLoop(options(model));
    expect(result.status).toBe("ok");
    const tools = seen[1]?.filter((m) => m.role === "tool") ?? [];
    expect(tools[0]).toMatchObject({ isError: true });
    expect((tools[0] as { content: string }).content).toContain('unknown tool "nope"; available tools: echo');
    expect((tools[1] as { content: string }).content).toContain("invalid arguments for echo");
  });

  test("stops at max_turns with the partial answer", async () => {
    const call = { id: "c", name: "echo", arguments: '{"text":"x"}' };
    const model = scriptedModel([
      { text: "step", calls: [call] },
      { text: "again", calls: [call] },
    ]);
    const result = await runLoop(options(model, { maxTurns: 2 }));
    expect(result).toMatchObject({ status: "failed", stopReason: "max_turns", answer: "again", turns: 2 });
  });

  test("stops after the first response that crosses the budget", async () => {
    const call = { id: "c", name: "echo", arguments: '{"text":"x"}' };
    const model = scriptedModel([{ text: "partial", calls: [call], usage: [600, 10] }, { text: "never" }]);
    const result = await runLoop(options(model, { meter: new UsageMeter({ tokens: 500 }) }));
    expect(result).toMatchObject({ status: "stopped", stopReason: "budget", answer: "partial", turns: 1 });
  });

  test("a provider error fails the run and keeps the error", async () => {
    const error = new ProviderError("rejected", { provider: "p", kind: "auth", status: 401 });
    const result = await runLoop(options(scriptedModel([{ error }])));
    expect(result).toMatchObject({ status: "failed", stopReason: "provider_error" });
    expect(result.providerError?.exitCode).toBe(4);
  });

  test("an interrupt reports interrupted; a timeout reports timeout", async () => {
    for (const reason of ["interrupted", "timeout"] as const) {
      const controller = new AbortController();
      const slow: Tool = {
        ...(echo as Tool),
        execute: async () => {
          controller.abort(new RunStop(reason));
          return { ok: false, output: "", error: "aborted" } satisfies ToolResult;
        },
      };
      const model = scriptedModel([{ calls: [{ id: "c", name: "echo", arguments: '{"text":"x"}' }] }]);
      const result = await runLoop(
        options(model, { signal: controller.signal, tools: new Map([["echo", slow]]) }),
      );
      expect(result.stopReason).toBe(reason);
      expect(result.status).toBe(reason === "timeout" ? "failed" : "interrupted");
    }
  });

  test("halting results stop the run; deferred calls are returned as pending", async () => {
    const deferral = { approvalId: "r-0123456789abcdef", args: { text: "x" } };
    const halting = (halt: ToolResult["halt"]): Tool => ({
      ...(echo as Tool),
      execute: async () => ({ ok: false, output: "", error: "refused", halt, deferral }),
    });
    const call = { id: "c", name: "echo", arguments: '{"text":"x"}' };
    const loop = await runLoop(
      options(scriptedModel([{ calls: [call] }]), { tools: new Map([["echo", halting("loop")]]) }),
    );
    expect(loop).toMatchObject({ status: "failed", stopReason: "loop" });
    const deferred = await runLoop(
      options(scriptedModel([{ calls: [call] }]), {
        tools: new Map([["echo", halting("awaiting_approval")]]),
      }),
    );
    expect(deferred).toMatchObject({ status: "awaiting_approval", pendingCalls: [{ call, deferral }] });
  });

  test("re-prompts when the answer misses the output schema, then gives up", async () => {
    const seen: Message[][] = [];
    const model = scriptedModel([{ text: "nope" }, { text: '{"a":1}' }], seen);
    const check = (answer: string) =>
      answer.startsWith("{") ? ({ ok: true } as const) : ({ ok: false, error: "not JSON" } as const);
    const ok = await runLoop(options(model, { checkAnswer: check }));
    expect(ok).toMatchObject({ status: "ok", answer: '{"a":1}', turns: 2 });
    expect(seen[1]?.at(-1)).toMatchObject({ role: "user" });
    const failing = await runLoop(
      options(scriptedModel([{ text: "a" }, { text: "b" }]), { checkAnswer: check, maxAnswerRetries: 1 }),
    );
    expect(failing).toMatchObject({ status: "failed", stopReason: "output_schema" });
  });
});
