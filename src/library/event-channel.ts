type Waiter<T> = {
  resolve: (result: IteratorResult<T, undefined>) => void;
  reject: (err: unknown) => void;
};

/**
 * A single-reader async queue: a producer pushes values without ever waiting, a reader pulls
 * them with `for await`. Values pushed before the reader arrives are kept; after the reader
 * leaves (`break`), further values are dropped.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private buffer: T[] = [];
  private waiter: Waiter<T> | undefined;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private abandoned = false;
  private iterating = false;

  /** Adds a value; ignored once the channel ended or its reader left. */
  push(value: T): void {
    if (this.closed || this.abandoned) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value, done: false });
    } else {
      this.buffer.push(value);
    }
  }

  /** Ends the stream after the values already pushed. */
  end(): void {
    this.finish(undefined);
  }

  /** Ends the stream: the reader gets the values already pushed, then `error` is thrown. */
  fail(error: unknown): void {
    this.finish({ error });
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    if (this.iterating) throw new TypeError("a run's events can be iterated only once");
    this.iterating = true;
    return {
      next: () => {
        const value = this.buffer.shift();
        if (value !== undefined) return Promise.resolve({ value, done: false });
        if (this.failure) {
          const { error } = this.failure;
          this.failure = undefined;
          return Promise.reject(error);
        }
        if (this.closed || this.abandoned) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: () => {
        this.abandoned = true;
        this.buffer = [];
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private finish(failure: { error: unknown } | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) {
      this.failure = failure;
      return;
    }
    if (failure) waiter.reject(failure.error);
    else waiter.resolve({ value: undefined, done: true });
  }
}
