import type { Middleware } from "../../spec/middleware.ts";
import { STOPS } from "../layer-names.ts";
import { refuse } from "../refusal.ts";

export interface RateLimitOptions {
  /** Calls per minute for the whole agent (`rate.per_minute`). */
  perMinute?: number;
  /** Calls per minute for each tool (`rate.per_tool_per_minute`). */
  perToolPerMinute?: number;
  /** Bucket capacity (`rate.burst`); defaults to the per-minute rate. */
  burst?: number;
  now?: () => number;
}

class TokenBucket {
  private tokens: number;
  private updated: number | undefined;

  constructor(
    private readonly perMinute: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  /** Milliseconds until a token is available (0 when one is now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  take(): void {
    this.tokens -= 1;
  }

  private refill(now: number): void {
    if (this.updated !== undefined) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updated) * this.perMinute) / 60_000);
    }
    this.updated = now;
  }
}

/**
 * Layer 10: token buckets, one for the agent and one per tool, refilled continuously at the
 * per-minute rate up to `burst`. A call takes a token from both or is refused with a tool error
 * saying when to retry (`meta.retry_after_ms`). State lives in this instance, i.e. per agent pipeline.
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  const agentBucket = options.perMinute
    ? new TokenBucket(options.perMinute, options.burst ?? options.perMinute)
    : undefined;
  const toolBuckets = new Map<string, TokenBucket>();
  const perTool = options.perToolPerMinute;
  return (ctx, call, next) => {
    const now = (options.now ?? ctx.now)();
    let toolBucket: TokenBucket | undefined;
    if (perTool) {
      toolBucket = toolBuckets.get(call.name);
      if (!toolBucket) {
        toolBucket = new TokenBucket(perTool, options.burst ?? perTool);
        toolBuckets.set(call.name, toolBucket);
      }
    }
    const agentWait = agentBucket?.waitMs(now) ?? 0;
    const toolWait = toolBucket?.waitMs(now) ?? 0;
    if (agentWait > 0 || toolWait > 0) {
      const wait = Math.max(agentWait, toolWait);
      const which =
        toolWait >= agentWait
          ? `${perTool} ${call.name} calls per minute`
          : `${options.perMinute} tool calls per minute for agent "${ctx.agent}"`;
      return Promise.resolve(
        refuse(
          ctx,
          call,
          STOPS.rateLimit,
          `rate limit reached (${which}); retry in ${Math.ceil(wait / 1000)}s or do something else first`,
          { meta: { retry_after_ms: wait } },
        ),
      );
    }
    agentBucket?.take();
    toolBucket?.take();
    return next(call);
  };
}
