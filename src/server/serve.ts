import { EventEncoder } from "@ag-ui/encoder";
import type { LoadedConfig } from "../config/loader.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { createApp } from "./app.ts";
import { allowedOrigins, failure } from "./http-guard.ts";
import { InterruptBook } from "./interrupt-book.ts";
import { type ListenAddress, urlOf } from "./listen-address.ts";
import { approvalPage } from "./page/approval-page.ts";
import { ServerRuns } from "./server-runs.ts";
import { ServerState } from "./server-state.ts";

/** Seconds a connection may stay silent; streams send a heartbeat well within it. */
const IDLE_TIMEOUT_S = 60;

/** How `agentry serve` was asked to run, validated by the command. */
export interface ServeSettings {
  loaded: LoadedConfig;
  runtime: Runtime;
  stateDir: string;
  address: ListenAddress;
  tls?: { cert: string; key: string } | undefined;
  allowOrigins: readonly string[];
  maxBodyBytes: number;
  interruptTtlMs: number;
  tokens: { operator: string; approver?: string | undefined };
  /** Where start-up warnings go (the command's stderr). */
  warn: (message: string) => void;
}

/** A running server. */
export interface RunningServer {
  url: string;
  /**
   * Stops accepting connections, lets running runs finish for `graceMs` (then stops them as
   * interrupted, their state saved), and closes every stream.
   */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts the HTTP server and continues any run whose interrupts were decided while it was down.
 * Throws a usage error when another server uses the state dir (`ServerState.lock`).
 */
export function startServer(settings: ServeSettings): RunningServer {
  const state = new ServerState(settings.stateDir);
  const release = state.lock(settings.warn);
  try {
    return serveWith(settings, state, release);
  } catch (err) {
    release();
    throw err;
  }
}

function serveWith(settings: ServeSettings, state: ServerState, release: () => void): RunningServer {
  const now = () => new Date();
  const interrupts = new InterruptBook(state, settings.runtime, settings.interruptTtlMs, now);
  const runs = new ServerRuns({
    runtime: settings.runtime,
    loaded: settings.loaded,
    state,
    interrupts,
    encoder: new EventEncoder(),
    now,
  });
  let handle: (request: Request) => Promise<Response> = async () => failure(503, "starting", "starting");
  const server = Bun.serve({
    hostname: settings.address.host,
    port: settings.address.port,
    idleTimeout: IDLE_TIMEOUT_S,
    maxRequestBodySize: settings.maxBodyBytes,
    ...(settings.tls ? { tls: { cert: Bun.file(settings.tls.cert), key: Bun.file(settings.tls.key) } } : {}),
    fetch: (request) => handle(request),
    error: () => failure(500, "internal", "internal error"),
  });
  const port = server.port ?? settings.address.port;
  const url = urlOf(settings.address.host, port, settings.tls !== undefined);
  handle = createApp({
    loaded: settings.loaded,
    runs,
    interrupts,
    page: approvalPage(),
    tokens: settings.tokens,
    selfOrigins: allowedOrigins(url, port, settings.address.loopback, []),
    allowedOrigins: new Set(settings.allowOrigins.map((origin) => new URL(origin).origin)),
    maxBodyBytes: settings.maxBodyBytes,
  });
  runs.continueDecided();
  return {
    url,
    async stop(graceMs) {
      const closed = server.stop(false);
      await runs.drain(graceMs);
      await Promise.race([closed, server.stop(true)]);
      release();
    },
  };
}
