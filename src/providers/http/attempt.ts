import { createParser } from "eventsource-parser";
import type { Clock } from "../../spec/clock.ts";
import { ProviderError } from "../../spec/errors.ts";
import type { ModelEvent, ModelRequest } from "../../spec/model.ts";
import { type ErrorContext, protocolError } from "./classify.ts";
import type { PostStream } from "./transport.ts";
import type { SseMessage, StreamDecoder, WireProtocol } from "./wire-protocol.ts";

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

/** The most of an error answer's body read for its message; the rest is not waited for. */
const MAX_ERROR_BODY = 64 * 1024;
/**
 * The most characters of one SSE message (a line without its end, or data lines without the blank
 * line closing them) held while it arrives: a provider sends far less per event (a whole answer of
 * 128k tokens is a few MB), and a message that keeps growing would otherwise take memory until the
 * process dies, the stall timer never firing while bytes flow.
 */
const MAX_SSE_MESSAGE = 16 * 1024 * 1024;
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

/** The events of one chunk's messages, up to `finish` or to the message the decoder threw on. */
interface DecodedChunk {
  events: ModelEvent[];
  finished: boolean;
  failed: boolean;
  failure?: unknown;
}

/**
 * Decodes `messages` in order, stopping after a `finish` event. A decoder error does not lose
 * the events before it: they come back with the error, to be delivered before it is thrown.
 */
function decodeMessages(decoder: StreamDecoder, messages: readonly SseMessage[]): DecodedChunk {
  const events: ModelEvent[] = [];
  try {
    for (let m = 0; m < messages.length; m++) {
      const decoded = decoder.push(messages[m] as SseMessage);
      for (let e = 0; e < decoded.length; e++) {
        const event = decoded[e] as ModelEvent;
        events.push(event);
        if (event.type === "finish") return { events, finished: true, failed: false };
      }
    }
  } catch (failure) {
    return { events, finished: false, failed: true, failure };
  }
  return { events, finished: false, failed: false };
}

/**
 * The start of an error answer's body, enough to explain the error: up to MAX_ERROR_BODY
 * characters, then reading stops (leaving the loop cancels the body), so a body that never ends
 * cannot hold the run. When one of the attempt's own timers (`cutShort`) stops the read, what
 * arrived before is the answer's text; any other failure (the user's abort, a lost connection)
 * is thrown.
 */
async function readErrorBody(
  body: AsyncIterable<Uint8Array>,
  touch: () => void,
  cutShort: () => boolean,
): Promise<string> {
  let text = "";
  const utf8 = new TextDecoder();
  try {
    for await (const chunk of body) {
      touch();
      text += utf8.decode(chunk, { stream: true });
      if (text.length >= MAX_ERROR_BODY) break;
    }
  } catch (err) {
    if (!cutShort()) throw err;
  }
  return text;
}

/**
 * One HTTP attempt: sends the request, turns a non-2xx answer into the protocol's error and
 * streams the decoded events otherwise, as one batch per body chunk (never empty, ending with the
 * `finish` event when the stream completes): benchmark-driven, one generator step per chunk
 * instead of per event (a tool call's answer is ≈ 10 events in one chunk; issue 13). Throws a
 * ProviderError on any failure; the caller decides about retries. The request timeout covers the
 * wait for response headers, and for an error answer the reading of its body too (cut short by a
 * timer, the error is reported with what arrived); the stall timer covers silence mid-body but
 * is paused while the consumer holds a batch. Activity only stamps the time; the stall timer
 * re-arms itself for the rest of the period when it fires early.
 */
export async function* attemptBatches(
  s: AttemptSettings,
  request: ModelRequest,
): AsyncGenerator<readonly ModelEvent[]> {
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
    phase = "body";
    // An error answer's body is part of the answer: the request timer keeps running while it is
    // read, so a body that trickles in more often than stall_timeout cannot hold the run.
    if (response.status < 300) clock.clearTimeout(headerTimer);
    touch();
    if (response.status >= 300) {
      const ownTimerFired = () => cause === "timeout" || cause === "stall";
      const text = await readErrorBody(response.body, touch, ownTimerFired);
      throw s.protocol.errorFromResponse(response.status, text, response.headers(), s.errors, s.now());
    }
    const decoder = s.protocol.createDecoder(s.errors, request);
    const pending: SseMessage[] = [];
    let overflow = false;
    const parser = createParser({
      onEvent: (message) => pending.push(message),
      maxBufferSize: MAX_SSE_MESSAGE,
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") overflow = true;
      },
    });
    const text = new TextDecoder();
    for await (const chunk of response.body) {
      touch();
      parser.feed(text.decode(chunk, { stream: true }));
      if (overflow) {
        throw protocolError(
          s.errors,
          `an SSE message grew past ${MAX_SSE_MESSAGE} characters without ending`,
        );
      }
      const decoded = decodeMessages(decoder, pending);
      pending.length = 0;
      if (decoded.events.length > 0) {
        consumerHolds = true;
        yield decoded.events;
        consumerHolds = false;
        touch();
      }
      if (decoded.failed) throw decoded.failure;
      if (decoded.finished) {
        completed = true;
        return;
      }
    }
    const last = decoder.end();
    completed = true;
    if (last.length > 0) yield last;
  } catch (err) {
    throw classifyThrown(s, err, cause ?? (request.signal?.aborted ? "user" : undefined), phase);
  } finally {
    clock.clearTimeout(headerTimer);
    if (stallTimer !== undefined) clock.clearTimeout(stallTimer);
    request.signal?.removeEventListener("abort", onUserAbort);
    if (!completed) controller.abort();
  }
}
