import { lookup as dnsLookup } from "node:dns";
import { connect, type Socket } from "node:net";
import type { NetworkPolicy } from "../../tools/http/network-policy.ts";
import type { Destination } from "./destination.ts";
import { hostForUrl } from "./host-name.ts";

/** Resolves a name to every address it has (the shape of `dns.lookup` with `all: true`). */
export type ResolveAddresses = (host: string) => Promise<string[]>;

/** The system resolver (`getaddrinfo`: /etc/hosts, then DNS), every address, in its order. */
export const systemResolve: ResolveAddresses = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses.map((entry) => entry.address)),
    );
  });

/** What dialling a destination came to: a connected socket to a checked address, or why not. */
export type DialOutcome =
  | { ok: true; socket: Socket; address: string }
  | { ok: false; refused: true; reason: string }
  | { ok: false; refused: false; status: 502 | 504; reason: string };

/** How the dialler resolves, checks and waits. */
export interface DialOptions {
  policy: NetworkPolicy;
  resolve: ResolveAddresses;
  /** Bound on resolving plus connecting. */
  timeoutMs: number;
}

/** Settles with the promise, or rejects with `timedOut` once the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(Object.assign(new Error(`${what} took too long`), { timedOut: true }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Connects to one address; the attempt is torn down when the signal aborts. */
function connectTo(address: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    const fail = (err: Error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(Object.assign(new Error("connecting took too long"), { timedOut: true }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("error", fail);
    socket.once("connect", () => {
      signal.removeEventListener("abort", onAbort);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}

const stripRefused = (reason: string) => reason.replace(/^refused: /, "");

/**
 * Resolves the destination here, in agentry (never inside the sandbox), refuses it when ANY of its
 * addresses fails the SSRF guard (as the http tool does), then connects to a checked address
 * itself, so nothing resolves the name a second time (no DNS rebinding between check and
 * connect). Addresses are tried in the resolver's order.
 */
export async function dialDestination(destination: Destination, options: DialOptions): Promise<DialOutcome> {
  const name = hostForUrl(destination.host);
  const early = options.policy.checkUrl(new URL(`http://${name}:${destination.port}/`));
  if (early) return { ok: false, refused: true, reason: stripRefused(early) };
  const signal = AbortSignal.timeout(options.timeoutMs);
  let addresses: string[];
  if (destination.host.kind === "ip") addresses = [destination.host.host];
  else {
    try {
      addresses = await untilAborted(options.resolve(destination.host.host), signal, "resolving");
    } catch (err) {
      const timedOut = (err as { timedOut?: boolean }).timedOut === true;
      return {
        ok: false,
        refused: false,
        status: timedOut ? 504 : 502,
        reason: `could not resolve ${destination.host.host}: ${(err as Error).message}`,
      };
    }
    if (addresses.length === 0) {
      return { ok: false, refused: false, status: 502, reason: `no address for ${destination.host.host}` };
    }
    for (const address of addresses) {
      const refusal = options.policy.checkAddress(destination.host.host, address);
      if (refusal) return { ok: false, refused: true, reason: stripRefused(refusal) };
    }
  }
  let lastError = "no address to try";
  for (const address of addresses) {
    if (signal.aborted) break;
    try {
      const socket = await connectTo(address, destination.port, signal);
      return { ok: true, socket, address };
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  const timedOut = signal.aborted;
  return {
    ok: false,
    refused: false,
    status: timedOut ? 504 : 502,
    reason: `could not connect to ${name}:${destination.port}: ${timedOut ? `no connection within ${options.timeoutMs} ms` : lastError}`,
  };
}
