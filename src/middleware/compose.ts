import { AgentryError } from "../spec/errors.ts";
import type { Middleware, Next, PipelineCall, PipelineContext } from "../spec/middleware.ts";
import type { ToolResult } from "../spec/tool.ts";

/** The innermost step of a pipeline: runs the tool itself. */
export type Terminal = (ctx: PipelineContext, call: PipelineCall) => Promise<ToolResult>;

/** A composed pipeline: one governed tool call in, one result out. */
export type Pipeline = (ctx: PipelineContext, call: PipelineCall) => Promise<ToolResult>;

/** A layer called its `next` twice: a programming error in that layer. */
export class PipelineError extends AgentryError {
  override readonly name = "PipelineError";
}

/**
 * Composes layers Hono-style: the first layer is outermost. Each layer may call `next` at most once
 * (a second call rejects with `PipelineError`); a layer that throws synchronously yields a rejected
 * promise like an async one. The only per-call allocations are one `next` function per layer reached.
 */
export function composePipeline(layers: readonly Middleware[], terminal: Terminal): Pipeline {
  const chain = [...layers];
  const count = chain.length;
  const run = (ctx: PipelineContext, call: PipelineCall, index: number): Promise<ToolResult> => {
    if (index === count) return terminal(ctx, call);
    const layer = chain[index] as Middleware;
    let called = false;
    const next: Next = (nextCall) => {
      if (called) return Promise.reject(new PipelineError("next() called more than once", { layer: index }));
      called = true;
      return run(ctx, nextCall, index + 1);
    };
    try {
      return layer(ctx, call, next);
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return (ctx, call) => run(ctx, call, 0);
}
