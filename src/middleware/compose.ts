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

export interface ComposeOptions {
  /**
   * Layers known to call `next` at most once (the built-in ones, each pinned by its own tests):
   * they get a `next` shared by all calls of a context instead of a guarded one per call.
   */
  trusted?: ReadonlySet<Middleware>;
}

/**
 * Runs `layer` like an `async` function would: a synchronous throw becomes a rejected promise.
 */
function invoke(
  layer: Middleware,
  ctx: PipelineContext,
  call: PipelineCall,
  next: Next,
): Promise<ToolResult> {
  try {
    return layer(ctx, call, next);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** `next` for one call of a layer that may call it only once; a second call rejects with `PipelineError`. */
function once(next: Next, layer: number): Next {
  let called = false;
  return (call) => {
    if (called) return Promise.reject(new PipelineError("next() called more than once", { layer }));
    called = true;
    return next(call);
  };
}

/**
 * Composes layers Hono-style: the first layer is outermost. Each layer may call `next` at most once
 * (a second call rejects with `PipelineError`); a layer that throws synchronously yields a rejected
 * promise like an async one.
 *
 * Benchmark-driven (issue 13, `scripts/bench/pipeline-overhead.ts`): the chain of `next` functions
 * is built once per context (one run) and kept while the context lives, so a call through
 * `trusted` layers allocates nothing here; only an untrusted layer (a library user's) gets a fresh
 * guarded `next` per call.
 */
export function composePipeline(
  layers: readonly Middleware[],
  terminal: Terminal,
  options: ComposeOptions = {},
): Pipeline {
  const chain = [...layers];
  const trusted = chain.map((layer) => options.trusted?.has(layer) ?? false);
  const entries = new WeakMap<PipelineContext, Next>();
  const entryFor = (ctx: PipelineContext): Next => {
    let next: Next = (call) => terminal(ctx, call);
    for (let index = chain.length - 1; index >= 0; index--) {
      const layer = chain[index] as Middleware;
      const inner = next;
      next = trusted[index]
        ? (call) => invoke(layer, ctx, call, inner)
        : (call) => invoke(layer, ctx, call, once(inner, index));
    }
    entries.set(ctx, next);
    return next;
  };
  return (ctx, call) => (entries.get(ctx) ?? entryFor(ctx))(call);
}
