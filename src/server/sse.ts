import type { RunLog } from "./run-log.ts";

/** Comment lines sent on idle streams so proxies and the server's idle timer keep them open. */
export const HEARTBEAT_MS = 15_000;

const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
};

/**
 * A `text/event-stream` body fed by `attach`, which gets a `send` function and returns the
 * function that detaches it. Writing to a stream whose client went away detaches it instead of
 * throwing, so a disconnect can never reach the run or the code that reported the change.
 */
function eventStream(
  headers: Record<string, string>,
  attach: (send: (text: string) => void, close: () => void) => () => void,
): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      let detach = () => {};
      const send = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      stop = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        detach();
      };
      const close = () => {
        stop();
        try {
          controller.close();
        } catch {
          // the client already went away
        }
      };
      detach = attach(send, close);
      if (!open) detach();
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, { headers: { ...headers, ...SSE_HEADERS } });
}

/**
 * A `text/event-stream` response replaying a run's frames after `afterSeq` and then following
 * it until it ends. A client going away only stops this stream; the run goes on.
 */
export function runEventStream(log: RunLog, afterSeq: number, headers: Record<string, string>): Response {
  return eventStream(headers, (send, close) =>
    log.follow(afterSeq, (frame) => {
      if (frame) send(frame.text);
      else close();
    }),
  );
}

/**
 * A `text/event-stream` of snapshots: `snapshot()` now and after every change `watch` reports,
 * until the client goes away (the page's live list of pending approvals).
 */
export function snapshotStream(
  snapshot: () => unknown,
  watch: (onChange: () => void) => () => void,
  headers: Record<string, string>,
): Response {
  return eventStream(headers, (send) => {
    const push = () => send(`data: ${JSON.stringify(snapshot())}\n\n`);
    push();
    return watch(push);
  });
}
