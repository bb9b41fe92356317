import type { Socket } from "node:net";
import { createChunkedScanner } from "./chunked-body.ts";
import type { AbsoluteTarget } from "./destination.ts";
import { headerValues, type RequestHead } from "./request-head.ts";

/** Headers that describe one hop and are not forwarded (RFC 9110 §7.6.1, plus the proxy's own). */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "upgrade",
]);

/** How the request body is delimited: nothing, a byte count, or chunked framing. */
export type BodyFraming = { kind: "none" } | { kind: "length"; bytes: number } | { kind: "chunked" };

/**
 * The body framing of a request, or why it is refused: both `Transfer-Encoding` and
 * `Content-Length`, several or non-numeric lengths, or a transfer coding other than a lone
 * `chunked` are the classic request-smuggling shapes, answered 400/501 instead of guessed at.
 */
export function bodyFraming(head: RequestHead): BodyFraming | { status: 400 | 501; error: string } {
  const codings = headerValues(head, "transfer-encoding");
  const lengths = headerValues(head, "content-length");
  if (codings.length > 0 && lengths.length > 0) {
    return { status: 400, error: "both Transfer-Encoding and Content-Length" };
  }
  if (codings.length > 0) {
    if (codings.length !== 1 || (codings[0] as string).toLowerCase() !== "chunked") {
      return { status: 501, error: `unsupported Transfer-Encoding ${JSON.stringify(codings.join(", "))}` };
    }
    return { kind: "chunked" };
  }
  if (lengths.length > 1) return { status: 400, error: "more than one Content-Length" };
  if (lengths.length === 1) {
    const text = lengths[0] as string;
    if (!/^\d{1,15}$/.test(text))
      return { status: 400, error: `invalid Content-Length ${JSON.stringify(text)}` };
    return { kind: "length", bytes: Number(text) };
  }
  return { kind: "none" };
}

/**
 * The request head sent upstream: origin-form target, `Host` set from the absolute URL (the
 * client's own `Host` is dropped, so the name that was checked is the one the server sees),
 * hop-by-hop headers and the headers `Connection` names removed, and `Connection: close`, so the
 * upstream connection carries this one request.
 */
export function upstreamHead(head: RequestHead, target: AbsoluteTarget): Buffer {
  const named = new Set(
    headerValues(head, "connection").flatMap((value) => value.split(",").map((v) => v.trim().toLowerCase())),
  );
  const lines = [`${head.method} ${target.path} HTTP/1.1`, `Host: ${target.authority}`];
  for (const [name, value] of head.headers) {
    if (!HOP_BY_HOP.has(name) && !named.has(name)) lines.push(`${name}: ${value}`);
  }
  lines.push("Connection: close", "", "");
  return Buffer.from(lines.join("\r\n"), "latin1");
}

/**
 * Forwards exactly one request body from the client to the upstream socket, starting with the
 * bytes already read after the head. Anything the client sends after the body (a pipelined
 * second request, possibly for another host) is never forwarded: the proxy serves one request per
 * client connection. Resolves with an error message when the body is malformed.
 */
export function forwardBody(
  client: Socket,
  upstream: Socket,
  framing: BodyFraming,
  rest: Buffer,
): Promise<string | undefined> {
  if (framing.kind === "none" || (framing.kind === "length" && framing.bytes === 0)) {
    return Promise.resolve(undefined);
  }
  let left = framing.kind === "length" ? framing.bytes : 0;
  const scanner = framing.kind === "chunked" ? createChunkedScanner() : undefined;
  return new Promise((resolve) => {
    let finished = false;
    const stop = (error?: string) => {
      if (finished) return;
      finished = true;
      client.off("data", onData);
      upstream.off("drain", onDrain);
      client.pause();
      resolve(error);
    };
    const onDrain = () => {
      if (!finished) client.resume();
    };
    const onData = (chunk: Buffer): void => {
      if (finished) return;
      if (scanner) {
        const step = scanner.feed(chunk);
        if ("error" in step) {
          stop(step.error);
          return;
        }
        if (step.used > 0 && !upstream.write(chunk.subarray(0, step.used))) client.pause();
        if (step.done) stop();
        return;
      }
      const take = Math.min(left, chunk.length);
      left -= take;
      if (take > 0 && !upstream.write(chunk.subarray(0, take))) client.pause();
      if (left === 0) stop();
    };
    upstream.on("drain", onDrain);
    client.on("data", onData);
    if (rest.length > 0) onData(rest);
    if (!finished) client.resume();
  });
}
