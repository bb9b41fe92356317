import { createServer, type Socket } from "node:net";
import type { NetworkPolicy } from "../../tools/http/network-policy.ts";
import type { AllowList } from "./allow-list.ts";
import {
  type Destination,
  describeDestination,
  parseAbsoluteTarget,
  parseConnectTarget,
} from "./destination.ts";
import { dialDestination, type ResolveAddresses, systemResolve } from "./dial.ts";
import { bodyFraming, forwardBody, upstreamHead } from "./http-forward.ts";
import type { ProxyEventListener } from "./proxy-events.ts";
import { type RequestHead, readRequestHead } from "./request-head.ts";

/** Bounds the proxy holds every client to. */
export interface ProxyLimits {
  /** Request line plus headers, in bytes (default 32 KiB; larger → 431). */
  maxHeadBytes: number;
  /** Header fields per request (default 100; more → 431). */
  maxHeaders: number;
  /** The whole head must arrive within this (default 10 s; slower → 408): no slowloris. */
  headTimeoutMs: number;
  /** Resolving plus connecting upstream (default 10 s; slower → 504). */
  dialTimeoutMs: number;
  /** Client connections open at once (default 64); further ones are closed at once. */
  maxConnections: number;
}

/** Defaults of `ProxyLimits`. */
export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  maxHeadBytes: 32 * 1024,
  maxHeaders: 100,
  headTimeoutMs: 10_000,
  dialTimeoutMs: 10_000,
  maxConnections: 64,
};

/** What the proxy enforces and where it reports. */
export interface ProxyOptions {
  /** `network_allow`, checked on the host and port the client asked for. */
  allow: AllowList;
  /** The http tool's SSRF guard, checked on every address the host resolves to. */
  policy: NetworkPolicy;
  onEvent: ProxyEventListener;
  resolve?: ResolveAddresses;
  limits?: Partial<ProxyLimits>;
}

/** A listening proxy. `close` stops accepting and cuts every open connection and tunnel. */
export interface NetworkProxy {
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  501: "Not Implemented",
  502: "Bad Gateway",
  504: "Gateway Timeout",
};

/** Answers a client with a short plain-text error and closes the connection. */
function respond(client: Socket, status: number, message: string): void {
  const body = `agentry sandbox proxy: ${message}\n`;
  client.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Cuts both sockets when either ends badly or closes, so no half-open pair outlives its peer. */
function joinSockets(client: Socket, upstream: Socket): void {
  const cut = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", cut).on("close", cut);
  upstream.on("error", cut).on("close", cut);
}

/**
 * Starts the allow-listed network proxy on a Unix socket path. Each client connection carries one
 * request: `CONNECT host:port` opens a TCP tunnel (HTTPS or any TCP protocol), an absolute-form
 * `http://` request is forwarded with `Connection: close`. The destination is checked against
 * `network_allow` (host and port as asked), then resolved here and every address checked by the
 * SSRF guard, then dialled at a checked address. Refusals are answered 403 and reported.
 */
export function startProxy(socketPath: string, options: ProxyOptions): Promise<NetworkProxy> {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...options.limits };
  const resolve = options.resolve ?? systemResolve;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };

  const authorize = async (method: string, destination: Destination, client: Socket) => {
    const where = describeDestination(destination);
    const refusal = options.allow.check(destination.host, destination.port);
    if (refusal) {
      options.onEvent({ type: "refused", method, destination: where, reason: refusal });
      respond(client, 403, `refused ${method} ${where}: ${refusal}`);
      return undefined;
    }
    const dialled = await dialDestination(destination, {
      policy: options.policy,
      resolve,
      timeoutMs: limits.dialTimeoutMs,
    });
    if (!dialled.ok) {
      options.onEvent({
        type: dialled.refused ? "refused" : "failed",
        method,
        destination: where,
        reason: dialled.reason,
      });
      respond(
        client,
        dialled.refused ? 403 : dialled.status,
        `${dialled.refused ? "refused" : "failed"} ${method} ${where}: ${dialled.reason}`,
      );
      return undefined;
    }
    if (client.destroyed) {
      dialled.socket.destroy();
      return undefined;
    }
    track(dialled.socket);
    options.onEvent({ type: "allowed", method, destination: where, address: dialled.address });
    return dialled.socket;
  };

  const tunnel = async (client: Socket, head: RequestHead, rest: Buffer) => {
    const target = parseConnectTarget(head.target);
    if (!target.ok) return reject(client, 400, target.error);
    const upstream = await authorize("CONNECT", target.value, client);
    if (!upstream) return;
    joinSockets(client, upstream);
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (rest.length > 0) upstream.write(rest);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };

  const forward = async (client: Socket, head: RequestHead, rest: Buffer) => {
    const target = parseAbsoluteTarget(head.target);
    if (!target.ok) return reject(client, 400, target.error);
    const framing = bodyFraming(head);
    if ("status" in framing) return reject(client, framing.status, framing.error);
    const upstream = await authorize(head.method, target.value, client);
    if (!upstream) return;
    joinSockets(client, upstream);
    upstream.pipe(client);
    upstream.write(upstreamHead(head, target.value));
    const bodyError = await forwardBody(client, upstream, framing, rest);
    if (bodyError) {
      options.onEvent({ type: "rejected", status: 400, reason: bodyError });
      upstream.destroy();
    }
  };

  const reject = (client: Socket, status: number, reason: string) => {
    options.onEvent({ type: "rejected", status, reason });
    respond(client, status, reason);
  };

  const handle = async (client: Socket) => {
    track(client);
    client.on("error", () => client.destroy());
    const read = await readRequestHead(client, {
      maxBytes: limits.maxHeadBytes,
      maxHeaders: limits.maxHeaders,
      timeoutMs: limits.headTimeoutMs,
    });
    if (!read.ok) {
      if (read.status === 0) client.destroy();
      else reject(client, read.status, read.error);
      return;
    }
    if (read.head.method === "CONNECT") await tunnel(client, read.head, read.rest);
    else await forward(client, read.head, read.rest);
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    handle(client).catch(() => client.destroy());
  });
  server.maxConnections = limits.maxConnections;
  return new Promise((resolveStart, rejectStart) => {
    server.once("error", rejectStart);
    server.listen(socketPath, () => {
      server.off("error", rejectStart);
      resolveStart({
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const socket of open) socket.destroy();
          }),
      });
    });
  });
}
