import type { Dispatcher } from "undici";

const dispatchers = new WeakMap<object, Map<string, Promise<Dispatcher>>>();

/**
 * One connection pool per provider configuration and origin, shared by every model handle that
 * uses it, so 500 concurrent streams reuse keep-alive connections instead of opening pools each.
 * undici's own header/body timeouts are off: agentry enforces `request_timeout` and
 * `stall_timeout` itself. undici is loaded only when a pool is first needed (Node hosts).
 */
export function sharedDispatcher(owner: object, origin: string): Promise<Dispatcher> {
  let byOrigin = dispatchers.get(owner);
  if (!byOrigin) {
    byOrigin = new Map();
    dispatchers.set(owner, byOrigin);
  }
  let dispatcher = byOrigin.get(origin);
  if (!dispatcher) {
    dispatcher = import("undici").then(
      ({ Agent }) =>
        new Agent({
          keepAliveTimeout: 30_000,
          keepAliveMaxTimeout: 600_000,
          headersTimeout: 0,
          bodyTimeout: 0,
          connect: { timeout: 10_000 },
        }),
    );
    byOrigin.set(origin, dispatcher);
  }
  return dispatcher;
}
