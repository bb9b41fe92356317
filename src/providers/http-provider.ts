import { systemClock } from "../clock/system-clock.ts";
import type { ModelEvent, ModelRequest, Provider, ProviderKind } from "../spec/model.ts";
import type { ErrorContext } from "./http/classify.ts";
import type { ConnectionPools } from "./http/dispatcher.ts";
import { retryingStream } from "./http/retrying-stream.ts";
import { transportFor } from "./http/transport.ts";
import type { WireProtocol } from "./http/wire-protocol.ts";
import type { ProviderOptions } from "./types.ts";

/** Defaults of the timing knobs in `[providers.*]`. */
export const DEFAULT_RETRIES = 2;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** Everything an HTTP provider needs apart from its wire protocol. */
export interface HttpProviderSettings {
  id: string;
  kind: ProviderKind;
  errors: ErrorContext;
  /** Where connection pools are kept; one pool per `poolKey` (the provider config) and origin. */
  pools: ConnectionPools;
  poolKey: object;
  origin: string;
  retries: number | undefined;
  requestTimeoutMs: number | undefined;
  stallTimeoutMs: number | undefined;
}

/** A Provider over HTTP+SSE: one wire protocol plus shared retries, timeouts and pooling. */
export function createHttpProvider(
  settings: HttpProviderSettings,
  protocol: WireProtocol,
  options: ProviderOptions,
): Provider {
  const clock = options.clock ?? systemClock;
  const retry = {
    errors: settings.errors,
    protocol,
    post: transportFor(settings.pools, settings.poolKey, settings.origin),
    requestTimeoutMs: settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    stallTimeoutMs: settings.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    now: () => clock.epochMs(),
    retries: settings.retries ?? DEFAULT_RETRIES,
    clock,
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
  };
  return {
    id: settings.id,
    kind: settings.kind,
    stream: (request: ModelRequest): AsyncIterable<ModelEvent> => retryingStream(retry, request),
  };
}
