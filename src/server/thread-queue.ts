/**
 * Continuations waiting for their thread. A thread runs one run at a time, so a continuation whose
 * last decision comes while another run of the thread is in flight waits here, behind the ones that
 * were already waiting, and starts when the thread's run ends (`next`, called as it ends). Nothing
 * polls: each end of a run starts at most the next one.
 */
export class ThreadQueue<T> {
  private readonly waiting = new Map<string, T[]>();

  /** Puts `item` last in the line of `threadId`. */
  add(threadId: string, item: T): void {
    const line = this.waiting.get(threadId);
    if (line) line.push(item);
    else this.waiting.set(threadId, [item]);
  }

  /** The first item waiting for `threadId`, taken out of its line; undefined when none waits. */
  next(threadId: string): T | undefined {
    const line = this.waiting.get(threadId);
    const first = line?.shift();
    if (line?.length === 0) this.waiting.delete(threadId);
    return first;
  }

  /** Every waiting item, oldest first per thread, and an empty queue (the server is stopping). */
  takeAll(): T[] {
    const all = [...this.waiting.values()].flat();
    this.waiting.clear();
    return all;
  }
}
