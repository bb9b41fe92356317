import { type CanonicalHost, canonicalHost, hostForUrl } from "./host-name.ts";

/** Where a proxy request wants to go: a canonical host and a port. */
export interface Destination {
  host: CanonicalHost;
  port: number;
}

/** A plain-HTTP request target in absolute form, split for forwarding. */
export interface AbsoluteTarget extends Destination {
  /** `host[:port]` as the `Host` header to send (the port only when not 80). */
  authority: string;
  /** Path and query in origin form, what the origin server is sent. */
  path: string;
}

/** A parse result: the value, or the reason the request is answered 400. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * The target of `CONNECT host:port` (RFC 9110 §9.3.6: authority form, the port is required).
 * Anything else (a URL, user info, a path, a missing port) is rejected, so the TCP destination
 * the proxy checks is exactly the one it dials.
 */
export function parseConnectTarget(target: string): Parsed<Destination> {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]\\]+):([0-9]+)$/.exec(target);
  if (!match) return { ok: false, error: `CONNECT needs host:port, got ${JSON.stringify(target)}` };
  const host = canonicalHost(match[1] as string);
  const port = parsePort(match[2] as string);
  if (!host || port === undefined) {
    return { ok: false, error: `CONNECT needs host:port, got ${JSON.stringify(target)}` };
  }
  return { ok: true, value: { host, port } };
}

/**
 * The target of a plain proxied HTTP request: only `http://` in absolute form (an `https://` URL
 * must go through CONNECT; origin form means the client did not mean a proxy). User info is
 * refused. The destination comes from this URL alone; the request's own `Host` header is replaced
 * by this authority before forwarding, so the two cannot disagree.
 */
export function parseAbsoluteTarget(target: string): Parsed<AbsoluteTarget> {
  if (!/^http:\/\//i.test(target)) {
    return {
      ok: false,
      error: `only absolute http:// URLs can be proxied (use CONNECT for https), got ${JSON.stringify(target.slice(0, 200))}`,
    };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, error: `invalid URL ${JSON.stringify(target.slice(0, 200))}` };
  }
  if (url.username !== "" || url.password !== "")
    return { ok: false, error: "user info in the URL is refused" };
  const host = canonicalHost(url.hostname);
  const port = url.port === "" ? 80 : parsePort(url.port);
  if (!host || port === undefined) return { ok: false, error: `invalid host in ${JSON.stringify(target)}` };
  const authority = port === 80 ? hostForUrl(host) : `${hostForUrl(host)}:${port}`;
  return { ok: true, value: { host, port, authority, path: `${url.pathname}${url.search}` } };
}

/** `host:port` for messages and logs, IPv6 in brackets. */
export function describeDestination(destination: Destination): string {
  return `${hostForUrl(destination.host)}:${destination.port}`;
}
