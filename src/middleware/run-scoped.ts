import type { PipelineContext } from "../spec/middleware.ts";

/**
 * Per-run state inside a pipeline instance. A pipeline serves every run of one agent (batch,
 * `serve`, workers, `runtime.run` called many times), and each run (each execution of an agent's
 * loop, sub-agents included) has its own `PipelineContext`: state is keyed by that context, not by
 * the run id. So a later run that reuses a run id (a library host's or a client's choice) starts
 * clean instead of inheriting an earlier run's approve-for-the-run, loop or failure counts, two
 * runs under one id never share them, and a run's state goes when its context does (nothing to
 * evict: an active run's state is never dropped to make room).
 */
export class RunScoped<T> {
  private readonly states = new WeakMap<PipelineContext, T>();

  constructor(private readonly create: () => T) {}

  /** The state of the run `ctx` belongs to, created on first use. */
  get(ctx: PipelineContext): T {
    let state = this.states.get(ctx);
    if (state === undefined) {
      state = this.create();
      this.states.set(ctx, state);
    }
    return state;
  }
}
