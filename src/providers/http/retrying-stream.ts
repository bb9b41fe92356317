import { ProviderError } from "../../spec/errors.ts";
import type { ModelEvent, ModelRequest } from "../../spec/model.ts";
import type { Clock, RetryInfo } from "../types.ts";
import { type AttemptSettings, abortedError, attemptBatches } from "./attempt.ts";
import { retryDelay } from "./retry-delay.ts";

/** Retry knobs on top of one attempt's settings. */
export interface RetrySettings extends AttemptSettings {
  retries: number;
  clock: Clock;
  random: () => number;
  onRetry: ((info: RetryInfo) => void) | undefined;
}

function asProviderError(providerId: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError(`provider "${providerId}": ${err instanceof Error ? err.message : String(err)}`, {
    provider: providerId,
    kind: "protocol",
    retryable: false,
    cause: err,
  });
}

/**
 * A model stream with retries, obeying the `Provider` contract: never throws, ends with one
 * `finish` or one `error`. Retryable failures are retried (backoff with full jitter, or the
 * server's Retry-After) only while nothing has been yielded; once an event reached the caller a
 * failure is final, so text is never duplicated.
 */
export async function* retryingStream(s: RetrySettings, request: ModelRequest): AsyncGenerator<ModelEvent> {
  const providerId = s.errors.providerId;
  for (let attempt = 0; ; attempt++) {
    let yielded = false;
    let failure: ProviderError;
    try {
      for await (const batch of attemptBatches(s, request)) {
        yielded = true;
        for (let i = 0; i < batch.length; i++) yield batch[i] as ModelEvent;
      }
      return;
    } catch (err) {
      failure = asProviderError(providerId, err);
    }
    if (yielded || !failure.retryable || attempt >= s.retries || request.signal?.aborted) {
      yield { type: "error", error: request.signal?.aborted ? abortedError(providerId) : failure };
      return;
    }
    const delayMs = retryDelay(attempt, failure.retryAfterMs, s.random);
    const info = { providerId, model: request.model, attempt: attempt + 1, delayMs, error: failure };
    s.onRetry?.(info);
    request.onRetry?.(info);
    try {
      await s.clock.sleep(delayMs, request.signal);
    } catch (err) {
      yield { type: "error", error: abortedError(providerId, err) };
      return;
    }
    if (request.signal?.aborted) {
      yield { type: "error", error: abortedError(providerId) };
      return;
    }
  }
}
