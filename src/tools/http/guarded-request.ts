import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import type { NetworkPolicy } from "./network-policy.ts";

/** One HTTP exchange, without redirect handling. */
export interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  maxResponse: number;
  signal: AbortSignal;
  policy: NetworkPolicy;
}

/** The response of one hop; the body is cut at `maxResponse` bytes. */
export interface HopResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

/** A request the network policy refused; nothing was sent. */
export class RefusedConnection extends Error {
  override readonly name = "RefusedConnection";
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A DNS lookup that refuses private and metadata addresses at connect time, so a name that
 * resolves differently on the second query (DNS rebinding) is still checked on the address
 * actually dialled. Every resolved address must pass, not only the first.
 */
function guardedLookup(policy: NetworkPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { family: options.family ?? 0, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const entry of addresses) {
        const refusal = policy.checkAddress(hostname, entry.address);
        if (refusal)
          return callback(Object.assign(new RefusedConnection(refusal), { code: "EREFUSED_SSRF" }), []);
      }
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), []);
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * Sends one request through node:http(s) with the guarded lookup. (undici's `Agent` lookup hook
 * is not used because Bun replaces the `undici` module with a fetch shim that ignores dispatchers,
 * which would silently disable the guard in the compiled binary.)
 */
export function sendHop(request: HopRequest): Promise<HopResponse> {
  const refusal = request.policy.checkUrl(request.url);
  if (refusal) return Promise.reject(new RefusedConnection(refusal));
  const client = request.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(request.url, {
      method: request.method,
      headers: request.headers,
      lookup: guardedLookup(request.policy) as unknown as typeof dnsLookup,
    });
    const onAbort = () => req.destroy(new Error("aborted"));
    if (request.signal.aborted) onAbort();
    request.signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => request.signal.removeEventListener("abort", onAbort);
    req.on("error", (err) => {
      settle();
      reject(err);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      let done = false;
      const finish = () => {
        done = true;
        settle();
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: res.headers,
          body: Buffer.concat(chunks),
          truncated,
        });
      };
      res.on("data", (chunk: Buffer) => {
        if (truncated) return;
        const room = request.maxResponse - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size += room;
          truncated = true;
          res.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => {
        if (!truncated) finish();
      });
      res.on("error", (err) => {
        settle();
        if (!done) reject(err);
      });
      res.on("close", () => {
        settle();
        if (!done) reject(new Error("the connection closed before the response ended"));
      });
    });
    req.end(request.body);
  });
}
