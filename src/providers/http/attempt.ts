import { createParser } from "eventsource-parser";
import type { Clock } from "../../spec/clock.ts";
import { ProviderError } from "../../spec/errors.ts";
import type { ModelEvent, ModelRequest } from "../../spec/model.ts";
import { type ErrorContext, protocolError } from "./classify.ts";
import type { PostStream } from "./transport.ts";
import type { SseMessage, WireProtocol } from "./wire-protocol.ts";

/** Everything one HTTP attempt needs besides the request. */
export interface AttemptSettings {
  errors: ErrorContext;
  protocol: WireProtocol;
  post: PostStream;
  requestTimeoutMs: number;
  stallTimeoutMs: number;
  /** Milliseconds since the epoch, for `Retry-After` dates. */
  now: () => number;
  /** Request and stall timers, and the monotonic time they measure. */
  clock: Pick<Clock, "now" | "setTimeout" | "clearTimeout">;
}

const MAX_ERROR_BODY = 64 * 1024;
type AbortCause = "user" | "timeout" | "stall";

/** The error a cancelled request ends with. */
export function abortedError(providerId: string, cause?: unknown): ProviderError {
  return new ProviderError(`provider "${providerId}": request cancelled`, {
    provider: providerId,
    kind: "aborted",
    retryable: false,
    cause,
  });
}

function errorCode(err: unknown): string {
  if (err && typeof err === "object") {
    const code = "code" in err ? err.code : undefined;
    if (typeof code === "string") return code;
    const cause = "cause" in err ? err.cause : undefined;
    if (cause !== err) return errorCode(cause);
  }
  return err instanceof Error ? err.name : "unknown error";
}

function classifyThrown(
  s: AttemptSettings,
  err: unknown,
  cause: AbortCause | undefined,
  phase: "send" | "body",
): ProviderError {
  if (err instanceof ProviderError) return err;
  const id = s.errors.providerId;
  if (cause === "user") return abortedError(id, err);
  if (cause === "timeout") {
    return new ProviderError(
      `provider "${id}": no response within ${s.requestTimeoutMs} ms (request_timeout)`,
      {
        provider: id,
        kind: "timeout",
      },
    );
  }
  if (cause === "stall") {
    return new ProviderError(
      `provider "${id}": stream stalled, no data for ${s.stallTimeoutMs} ms (stall_timeout)`,
      {
        provider: id,
        kind: "stall",
      },
    );
  }
  if (phase === "send") {
    return new ProviderError(`provider "${id}" is unreachable: ${errorCode(err)}`, {
      provider: id,
      kind: "network",
      cause: err,
    });
  }
  return protocolError(s.errors, `connection lost before the stream completed (${errorCode(err)})`, err);
}

/**
 * One HTTP attempt: sends the request, turns a non-2xx answer into the protocol's error and
 * streams the decoded events otherwise. Throws a ProviderError on any failure; the caller
 * decides about retries. The request timeout covers the wait for response headers; the stall
 * timer covers silence mid-body but is paused while the consumer holds an event. Activity only
 * stamps the time; the stall timer re-arms itself for the rest of the period when it fires early.
 */
export async function* attemptStream(s: AttemptSettings, request: ModelRequest): AsyncGenerator<ModelEvent> {
  const wire = s.protocol.buildRequest(request);
  const controller = new AbortController();
  let cause: AbortCause | undefined;
  let phase: "send" | "body" = "send";
  let consumerHolds = false;
  const abort = (why: AbortCause) => {
    cause ??= why;
    controller.abort();
  };
  const onUserAbort = () => abort("user");
  if (request.signal?.aborted) throw abortedError(s.errors.providerId, request.signal.reason);
  request.signal?.addEventListener("abort", onUserAbort, { once: true });
  const clock = s.clock;
  const headerTimer = clock.setTimeout(() => abort("timeout"), s.requestTimeoutMs);
  let stallTimer: unknown;
  let lastActivity = 0;
  const onStall = () => {
    const idle = clock.now() - lastActivity;
    if (consumerHolds) stallTimer = clock.setTimeout(onStall, s.stallTimeoutMs);
    else if (idle < s.stallTimeoutMs) stallTimer = clock.setTimeout(onStall, s.stallTimeoutMs - idle);
    else abort("stall");
  };
  const touch = () => {
    lastActivity = clock.now();
    stallTimer ??= clock.setTimeout(onStall, s.stallTimeoutMs);
  };
  let completed = false;
  try {
    const response = await s.post(wire.url, {
      headers: { "content-type": "application/json", accept: "text/event-stream", ...wire.headers },
      body: wire.body,
      signal: controller.signal,
    });
    clock.clearTimeout(headerTimer);
    phase = "body";
    touch();
    if (response.status >= 300) {
      let text = "";
      const utf8 = new TextDecoder();
      for await (const chunk of response.body) {
        touch();
        if (text.length < MAX_ERROR_BODY) text += utf8.decode(chunk, { stream: true });
      }
      throw s.protocol.errorFromResponse(response.status, text, response.headers(), s.errors, s.now());
    }
    const decoder = s.protocol.createDecoder(s.errors, request);
    const pending: SseMessage[] = [];
    const parser = createParser({ onEvent: (message) => pending.push(message) });
    const text = new TextDecoder();
    for await (const chunk of response.body) {
      touch();
      parser.feed(text.decode(chunk, { stream: true }));
      for (let m = 0; m < pending.length; m++) {
        const events = decoder.push(pending[m] as SseMessage);
        for (let e = 0; e < events.length; e++) {
          const event = events[e] as ModelEvent;
          consumerHolds = true;
          yield event;
          consumerHolds = false;
          touch();
          if (event.type === "finish") {
            completed = true;
            return;
          }
        }
      }
      pending.length = 0;
    }
    for (const event of decoder.end()) yield event;
    completed = true;
  } catch (err) {
    throw classifyThrown(s, err, cause ?? (request.signal?.aborted ? "user" : undefined), phase);
  } finally {
    clock.clearTimeout(headerTimer);
    if (stallTimer !== undefined) clock.clearTimeout(stallTimer);
    request.signal?.removeEventListener("abort", onUserAbort);
    if (!completed) controller.abort();
  }
}
