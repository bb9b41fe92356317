import type { Dispatcher } from "undici";

/**
 * Keep-alive connection pools (Node hosts), one per provider configuration and origin, shared
 * by every model handle opened with this object, so 500 concurrent streams reuse connections
 * instead of opening pools each. A runtime owns one; nothing is shared between runtimes.
 */
export class ConnectionPools {
  private readonly byKey = new WeakMap<object, Map<string, Promise<Dispatcher>>>();

  /**
   * The pool of `key` (a provider config) and `origin`. undici's own header/body timeouts are
   * off: agentry enforces `request_timeout` and `stall_timeout` itself. undici is loaded only when
   * a pool is first needed.
   */
  dispatcher(key: object, origin: string): Promise<Dispatcher> {
    let byOrigin = this.byKey.get(key);
    if (!byOrigin) {
      byOrigin = new Map();
      this.byKey.set(key, byOrigin);
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
}
