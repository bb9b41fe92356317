import { isIP } from "node:net";
import { UsageError } from "../spec/errors.ts";

/** The default bind: loopback only. */
export const DEFAULT_LISTEN = "127.0.0.1:7420";

/** A parsed `--listen HOST:PORT`. */
export interface ListenAddress {
  host: string;
  port: number;
  loopback: boolean;
}

/**
 * Parses `HOST:PORT` (`[::1]:7420` for IPv6; port 0 picks a free one). Loopback means
 * 127.0.0.0/8, `::1` or `localhost`; anything else (including 0.0.0.0) is reachable from outside.
 */
export function parseListen(value: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535 || (match[1] !== undefined && isIP(match[1]) !== 6)) {
    throw new UsageError(`--listen ${JSON.stringify(value)} is not HOST:PORT`, {
      hint: "e.g. --listen 127.0.0.1:7420, --listen [::1]:0, --listen 0.0.0.0:7420",
    });
  }
  return { host, port, loopback: isLoopback(host) };
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/** How the server is exposed beyond loopback: its own TLS, or a TLS-terminating proxy in front. */
export interface Exposure {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  behindProxy?: boolean | undefined;
}

/**
 * Refuses a non-loopback bind without TLS (`--tls-cert/--tls-key`) or `--behind-proxy`: the
 * bearer token would cross the network in clear text. Half a TLS pair is refused too.
 */
export function checkExposure(address: ListenAddress, exposure: Exposure): void {
  if ((exposure.tlsCert === undefined) !== (exposure.tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if (address.loopback || exposure.tlsCert !== undefined || exposure.behindProxy) return;
  throw new UsageError(
    `refusing to listen on ${address.host} without TLS: the token would cross the network in clear text`,
    { hint: "add --tls-cert FILE --tls-key FILE, or --behind-proxy when a TLS proxy terminates in front" },
  );
}

/** The URL printed on stderr and used for the page's own origin. */
export function urlOf(host: string, port: number, tls: boolean): string {
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return `${tls ? "https" : "http"}://${shown}:${port}`;
}
