import { describe, expect, test } from "bun:test";
import { RUN_STOP_GRACE_MS, RunStopRace } from "../../src/agent/run-stop-race.ts";
import { runToolCalls, type ToolCallDeps } from "../../src/agent/tool-calls.ts";
import type { ToolCall } from "../../src/spec/model.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import type { Tool, ToolResult } from "../../src/spec/tool.ts";
import { parseToolArguments } from "../../src/tools/arguments.ts";
import { fakeContext, fakeTool, manualClock } from "../middleware/support.ts";

/** Deps whose executor runs the tool directly under the call's signal, in a run of `run`'s signal. */
function depsFor(tools: Tool[], run: AbortController, clock = manualClock()): ToolCallDeps {
  const context = { ...fakeContext(clock), signal: run.signal };
  return {
    tools: new Map(tools.map((tool) => [tool.name, tool])),
    parseArguments: parseToolArguments,
    execute: (_ctx, call) =>
      call.tool.execute(call.args, { signal: call.signal, runId: "run1", agent: "ops", callId: call.id }),
    context,
    emit: () => {},
    now: () => clock.now(),
    runStop: new RunStopRace(run.signal, clock),
  };
}

const callOf = (name: string, id: string): ToolCall => ({ id, name, arguments: "{}" });

/** A tool that waits until its signal aborts and reports the reason. */
function waitsForAbort(name: string): Tool {
  return fakeTool(
    name,
    (_args, ctx) =>
      new Promise<ToolResult>((resolve) => {
        const answer = () =>
          resolve({ ok: false, output: "", error: `cancelled: ${(ctx.signal.reason as Error).message}` });
        if (ctx.signal.aborted) answer();
        else ctx.signal.addEventListener("abort", answer, { once: true });
      }),
  ) as Tool;
}

/** A tool that fails hard (a sub-agent whose provider failed): its siblings are to be cancelled. */
function hardFailure(): Tool {
  return fakeTool("hard", async () => ({
    ok: false,
    output: "",
    error: "provider down",
    failFast: true,
  })) as Tool;
}

describe("runToolCalls", () => {
  test("a lone call is cancelled when its run stops, with the run's reason", async () => {
    const run = new AbortController();
    const settled = runToolCalls([callOf("wait", "c1")], depsFor([waitsForAbort("wait")], run));
    run.abort(new RunStop("interrupted", "Ctrl-C"));
    const [only] = await settled;
    expect(only?.result).toMatchObject({ ok: false, error: "cancelled: run stopped: interrupted (Ctrl-C)" });
  });

  test("each of several calls is cancelled when their run stops", async () => {
    const run = new AbortController();
    const settled = runToolCalls(
      [callOf("wait", "c1"), callOf("wait", "c2")],
      depsFor([waitsForAbort("wait")], run),
    );
    run.abort(new RunStop("interrupted", "Ctrl-C"));
    expect((await settled).map((item) => item.result)).toMatchObject([
      { error: "cancelled: run stopped: interrupted (Ctrl-C)" },
      { error: "cancelled: run stopped: interrupted (Ctrl-C)" },
    ]);
  });

  test("a hard failure (failFast) cancels the other calls of its turn, not the run", async () => {
    const run = new AbortController();
    const hard = hardFailure();
    const settled = await runToolCalls(
      [callOf("hard", "c1"), callOf("wait", "c2")],
      depsFor([hard, waitsForAbort("wait")], run),
    );
    expect(settled.map((item) => item.result)).toMatchObject([
      { error: "provider down" },
      { error: "cancelled: run stopped: cancelled (hard (call c1) failed)" },
    ]);
    expect(run.signal.aborted).toBe(false);
  });

  test("a sibling that ignores the cancellation is abandoned one grace period later; the turn does not wait for it", async () => {
    const run = new AbortController();
    const clock = manualClock();
    const ignores = fakeTool("stuck", () => new Promise<ToolResult>(() => {})) as Tool;
    const settled = runToolCalls(
      [callOf("hard", "c1"), callOf("stuck", "c2")],
      depsFor([hardFailure(), ignores], run, clock),
    );
    await Bun.sleep(0);
    clock.advance(RUN_STOP_GRACE_MS);
    expect((await settled).map((item) => item.result)).toMatchObject([
      { error: "provider down" },
      {
        ok: false,
        error: `abandoned: cancelled because hard (call c1) failed and the tool did not finish within ${RUN_STOP_GRACE_MS}ms of being cancelled`,
        stop: { reason: "cancelled", by: "run" },
      },
    ]);
    expect(run.signal.aborted).toBe(false);
  });

  test("a lone hard failure is returned as it is and leaves the run's signal alone", async () => {
    const run = new AbortController();
    const hard = hardFailure();
    const [only] = await runToolCalls([callOf("hard", "c1")], depsFor([hard], run));
    expect(only?.result).toMatchObject({ ok: false, error: "provider down", failFast: true });
    expect(run.signal.aborted).toBe(false);
  });
});
