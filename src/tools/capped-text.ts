/**
 * Collects a byte stream within a fixed budget: the first half of `limit` bytes and the most recent
 * half are kept, everything between is counted and dropped, so 10 MB of output never sits in
 * memory and the model still sees how a command started and how it ended.
 */
export class CappedText {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(limit: number) {
    this.headLimit = Math.ceil(limit / 2);
    this.tailLimit = limit - this.headLimit;
  }

  /** Bytes seen but not kept. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** Appends a chunk; memory stays bounded by `limit` plus one chunk. */
  push(chunk: Buffer | string): void {
    let data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(this.headLimit - this.headBytes, data.length);
      this.head.push(data.subarray(0, take));
      this.headBytes += take;
      data = data.subarray(take);
    }
    if (data.length === 0) return;
    this.tail.push(data);
    this.tailBytes += data.length;
    while (this.tailBytes > this.tailLimit) {
      const first = this.tail[0] as Buffer;
      const excess = this.tailBytes - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = Buffer.from(first.subarray(excess));
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  /** The kept text, with a marker naming how many bytes were dropped in the middle. */
  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    if (this.dropped === 0) return head + tail;
    return `${head}\n[... output truncated: ${this.dropped} bytes dropped ...]\n${tail}`;
  }
}
