import { describe, expect, test } from "bun:test";
import { composePipeline } from "../../src/middleware/compose.ts";
import type { Middleware } from "../../src/spec/middleware.ts";
import { callOf, fakeContext, fakeTool } from "./support.ts";

describe("composePipeline", () => {
  test("runs layers outermost first and lets a layer replace the call", async () => {
    const order: string[] = [];
    const a: Middleware = async (_ctx, call, next) => {
      order.push("a>");
      const result = await next({ ...call, args: { replaced: true } });
      order.push("<a");
      return result;
    };
    const b: Middleware = async (_ctx, call, next) => {
      order.push("b>");
      const result = await next(call);
      order.push("<b");
      return result;
    };
    const pipeline = composePipeline([a, b], async (_ctx, call) => {
      order.push("tool");
      return { ok: true, output: JSON.stringify(call.args) };
    });
    const result = await pipeline(fakeContext(), callOf(fakeTool()));
    expect(order).toEqual(["a>", "b>", "tool", "<b", "<a"]);
    expect(result.output).toBe('{"replaced":true}');
  });

  test("calling next twice rejects", async () => {
    const twice: Middleware = async (_ctx, call, next) => {
      await next(call);
      return next(call);
    };
    const pipeline = composePipeline([twice], async () => ({ ok: true, output: "" }));
    await expect(pipeline(fakeContext(), callOf(fakeTool()))).rejects.toThrow(/more than once/);
  });

  test("a synchronous throw becomes a rejection", async () => {
    const broken: Middleware = () => {
      throw new Error("sync");
    };
    const pipeline = composePipeline([broken], async () => ({ ok: true, output: "" }));
    await expect(pipeline(fakeContext(), callOf(fakeTool()))).rejects.toThrow("sync");
  });

  test("a layer may answer without calling next", async () => {
    const stop: Middleware = async () => ({
      ok: false,
      output: "",
      error: "no",
      stop: { reason: "custom", by: "x" },
    });
    const tool = fakeTool();
    const pipeline = composePipeline([stop], (_ctx, call) => call.tool.execute(call.args, {} as never));
    expect((await pipeline(fakeContext(), callOf(tool))).stop?.by).toBe("x");
    expect(tool.calls).toHaveLength(0);
  });

  test("trusted layers share one next per context, and each call still sees its own context", async () => {
    const seen: string[] = [];
    const nexts = new Set<unknown>();
    const layer: Middleware = (ctx, call, next) => {
      seen.push(`${ctx.runId}:${call.id}`);
      nexts.add(next);
      return next(call);
    };
    const pipeline = composePipeline(
      [layer],
      async (ctx, call) => ({ ok: true, output: `${ctx.runId}:${call.id}` }),
      {
        trusted: new Set([layer]),
      },
    );
    const a = fakeContext(undefined, "a");
    const b = fakeContext(undefined, "b");
    const outputs = await Promise.all([
      pipeline(a, callOf(fakeTool(), {}, "c1")),
      pipeline(b, callOf(fakeTool(), {}, "c2")),
      pipeline(a, callOf(fakeTool(), {}, "c3")),
    ]);
    expect(outputs.map((result) => result.output)).toEqual(["a:c1", "b:c2", "a:c3"]);
    expect(seen).toEqual(["a:c1", "b:c2", "a:c3"]);
    expect(nexts.size).toBe(2);
  });

  test("a layer that is not trusted gets a guarded next per call, even beside trusted ones", async () => {
    const trusted: Middleware = (_ctx, call, next) => next(call);
    const twice: Middleware = async (_ctx, call, next) => {
      await next(call);
      return next(call);
    };
    const tool = fakeTool();
    const pipeline = composePipeline(
      [trusted, twice],
      (_ctx, call) => call.tool.execute(call.args, {} as never),
      {
        trusted: new Set([trusted]),
      },
    );
    const ctx = fakeContext();
    await expect(pipeline(ctx, callOf(tool))).rejects.toThrow(/more than once/);
    await expect(pipeline(ctx, callOf(tool))).rejects.toThrow(/more than once/);
    expect(tool.calls).toHaveLength(2);
  });
});
