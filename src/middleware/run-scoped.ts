/**
 * Per-run state inside a pipeline instance. A pipeline may serve several runs of one agent (batch,
 * schedules); state is keyed by run id and the oldest runs are forgotten past `limit`, so a
 * long-lived pipeline does not grow without bound.
 */
export class RunScoped<T> {
  private readonly states = new Map<string, T>();

  constructor(
    private readonly create: () => T,
    private readonly limit = 1024,
  ) {}

  /** The state of `runId`, created on first use. */
  get(runId: string): T {
    let state = this.states.get(runId);
    if (state === undefined) {
      state = this.create();
      this.states.set(runId, state);
      if (this.states.size > this.limit) {
        const oldest = this.states.keys().next().value;
        if (oldest !== undefined) this.states.delete(oldest);
      }
    }
    return state;
  }
}
