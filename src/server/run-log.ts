/** One encoded SSE frame of a run's stream, with its sequence number (1, 2, …). */
export interface Frame {
  seq: number;
  text: string;
}

type Listener = (frame: Frame | undefined) => void;

/**
 * The ordered SSE frames of one server run: every frame carries `id: <runId>:<seq>`, is kept for
 * replay (`Last-Event-ID`), and is handed to the live subscribers. Ending the log tells the
 * subscribers (with `undefined`) so their streams close. The run goes on whoever listens.
 */
export class RunLog {
  private readonly frames: Frame[] = [];
  private readonly listeners = new Set<Listener>();
  private done = false;

  constructor(
    readonly runId: string,
    saved: readonly string[] = [],
    ended = false,
  ) {
    saved.forEach((text, index) => {
      this.frames.push({ seq: index + 1, text });
    });
    this.done = ended;
  }

  /** Appends one SSE-encoded event (`data: …\n\n`, from the AG-UI encoder), giving it its `id:`. */
  push(encoded: string): void {
    if (this.done) return;
    const seq = this.frames.length + 1;
    const frame = { seq, text: `id: ${this.runId}:${seq}\n${encoded}` };
    this.frames.push(frame);
    for (const listener of this.listeners) listener(frame);
  }

  /** Marks the log complete; live subscribers get `undefined` and stop. */
  end(): void {
    if (this.done) return;
    this.done = true;
    for (const listener of this.listeners) listener(undefined);
    this.listeners.clear();
  }

  get ended(): boolean {
    return this.done;
  }

  /** The frames' texts, for persisting a finished run. */
  texts(): string[] {
    return this.frames.map((frame) => frame.text);
  }

  /**
   * Frames after `afterSeq` now, then live ones through `listener` until the log ends (it gets
   * `undefined` then). Returns the function that stops listening.
   */
  follow(afterSeq: number, listener: Listener): () => void {
    for (const frame of this.frames.slice(Math.max(0, afterSeq))) listener(frame);
    if (this.done) {
      listener(undefined);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The sequence number after which a reconnecting client wants frames, from its `Last-Event-ID`
 * (`<runId>:<seq>`): 0 when absent; undefined when it names another run or is malformed.
 */
export function lastSeqOf(header: string | null, runId: string): number | undefined {
  if (header === null || header === "") return 0;
  const colon = header.lastIndexOf(":");
  if (colon < 0 || header.slice(0, colon) !== runId) return undefined;
  const seq = header.slice(colon + 1);
  return /^\d{1,9}$/.test(seq) ? Number(seq) : undefined;
}
