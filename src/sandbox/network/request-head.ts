import type { Socket } from "node:net";

/** One parsed HTTP/1.x request head. Header names are lower-case; order and repeats are kept. */
export interface RequestHead {
  method: string;
  target: string;
  version: "HTTP/1.0" | "HTTP/1.1";
  headers: Array<[name: string, value: string]>;
}

/** Bounds on what a client may send before the proxy decides (huge heads, slowloris). */
export interface HeadLimits {
  /** Bytes of request line plus headers, terminator included. */
  maxBytes: number;
  maxHeaders: number;
  /** Time from the connection's first byte wait to the end of the head, whatever the trickle. */
  timeoutMs: number;
}

/** The head and the bytes that followed it, or the status and reason to answer with. */
export type HeadRead =
  | { ok: true; head: RequestHead; rest: Buffer }
  | { ok: false; status: 400 | 408 | 431; error: string }
  | { ok: false; status: 0; error: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^\s]+) (HTTP\/1\.[01])$/;
const TERMINATOR = Buffer.from("\r\n\r\n");

/**
 * Parses a request head strictly: CRLF line endings only, no obsolete line folding, no whitespace
 * before a colon, token header names, no control characters in values. A proxy that is lenient
 * where the origin server is strict (or the reverse) is how requests get smuggled; refusing the
 * odd forms keeps one reading of the request.
 */
export function parseRequestHead(
  text: string,
  maxHeaders: number,
): RequestHead | { status: 400 | 431; error: string } {
  const malformed = (error: string) => ({ status: 400 as const, error });
  const lines = text.split("\r\n");
  const requestLine = REQUEST_LINE.exec(lines[0] ?? "");
  if (!requestLine) return malformed("malformed request line");
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    if (headers.length >= maxHeaders) return { status: 431, error: `more than ${maxHeaders} header fields` };
    const colon = line.indexOf(":");
    const name = line.slice(0, Math.max(colon, 0));
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (colon <= 0 || !TOKEN.test(name)) return malformed("malformed header field");
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return malformed(`control character in the ${name} header`);
    headers.push([name.toLowerCase(), value]);
  }
  return {
    method: requestLine[1] as string,
    target: requestLine[2] as string,
    version: requestLine[3] as RequestHead["version"],
    headers,
  };
}

/**
 * Reads one request head from a client socket, within `limits`. On success the socket is paused
 * with no `data` listener left, and `rest` holds bytes the client sent after the head (a TLS hello
 * after CONNECT, the start of a body). A status of 0 means the client went away: send nothing.
 */
export function readRequestHead(socket: Socket, limits: HeadLimits): Promise<HeadRead> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const finish = (result: HeadRead) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", onEnd);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      const scanFrom = Math.max(0, buffered.length - TERMINATOR.length + 1);
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(TERMINATOR, scanFrom);
      if (end < 0) {
        if (buffered.length > limits.maxBytes) {
          finish({ ok: false, status: 431, error: `request head larger than ${limits.maxBytes} bytes` });
        }
        return;
      }
      if (end + TERMINATOR.length > limits.maxBytes) {
        return finish({ ok: false, status: 431, error: `request head larger than ${limits.maxBytes} bytes` });
      }
      const head = parseRequestHead(buffered.subarray(0, end).toString("latin1"), limits.maxHeaders);
      if ("error" in head) return finish({ ok: false, ...head });
      finish({ ok: true, head, rest: buffered.subarray(end + TERMINATOR.length) });
    };
    const onEnd = () => finish({ ok: false, status: 0, error: "the client closed the connection" });
    const timer = setTimeout(
      () =>
        finish({ ok: false, status: 408, error: `no complete request head within ${limits.timeoutMs} ms` }),
      limits.timeoutMs,
    );
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("error", onEnd);
    socket.resume();
  });
}

/** The values of one header (lower-case name), in order. */
export function headerValues(head: RequestHead, name: string): string[] {
  return head.headers.filter(([key]) => key === name).map(([, value]) => value);
}
