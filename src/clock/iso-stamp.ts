/**
 * The current time as an ISO-8601 string (`Date#toISOString`), formatted once per millisecond.
 * Benchmark-driven (issue 13: audit records and run events of many concurrent agents): every
 * audit record and run event carries a timestamp, and within one millisecond they share one
 * string instead of a `Date` and a new string each. One per owner (audit log, event bus); no
 * module state.
 */
export class IsoStamp {
  private stampedAt = Number.NaN;
  private stamp = "";

  /** `nowMs` is the epoch clock in milliseconds (`Date.now` unless a test injects one). */
  constructor(private readonly nowMs: () => number = Date.now) {}

  /** `new Date().toISOString()`, the same string while the millisecond lasts. */
  now(): string {
    const ms = this.nowMs();
    if (ms !== this.stampedAt) {
      this.stampedAt = ms;
      this.stamp = new Date(ms).toISOString();
    }
    return this.stamp;
  }
}
