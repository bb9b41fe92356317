import type { RunLog } from "./run-log.ts";

/** Comment lines sent on idle streams so proxies and the server's idle timer keep them open. */
export const HEARTBEAT_MS = 15_000;

const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
};

/**
 * A `text/event-stream` response replaying a run's frames after `afterSeq` and then following
 * it until it ends. A client going away only stops this stream; the run goes on.
 */
export function runEventStream(log: RunLog, afterSeq: number, headers: Record<string, string>): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const heartbeat = setInterval(
        () => controller.enqueue(encoder.encode(": keep-alive\n\n")),
        HEARTBEAT_MS,
      );
      const unfollow = log.follow(afterSeq, (frame) => {
        if (frame) {
          controller.enqueue(encoder.encode(frame.text));
          return;
        }
        clearInterval(heartbeat);
        controller.close();
      });
      stop = () => {
        clearInterval(heartbeat);
        unfollow();
      };
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, { headers: { ...headers, ...SSE_HEADERS } });
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
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = () => controller.enqueue(encoder.encode(`data: ${JSON.stringify(snapshot())}\n\n`));
      const heartbeat = setInterval(
        () => controller.enqueue(encoder.encode(": keep-alive\n\n")),
        HEARTBEAT_MS,
      );
      send();
      const unwatch = watch(send);
      stop = () => {
        clearInterval(heartbeat);
        unwatch();
      };
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, { headers: { ...headers, ...SSE_HEADERS } });
}
