/**
 * What the proxy did with one client request, reported as it happens. `destination` is
 * `host:port` as the proxy understood it; `address` the IP it connected to.
 */
export type ProxyEvent =
  | { type: "allowed"; method: string; destination: string; address: string }
  | { type: "refused"; method: string; destination: string; reason: string }
  | { type: "failed"; method: string; destination: string; reason: string }
  | { type: "rejected"; status: number; reason: string };

/** Listener for proxy events; it must not throw. */
export type ProxyEventListener = (event: ProxyEvent) => void;
