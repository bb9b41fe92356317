import { randomHex } from "../digest/random.ts";
import { buildRunTree } from "../observe/run-tree.ts";
import type { RunEvent } from "../spec/events.ts";
import { runToOtlp, type SpanDeps } from "./otlp-spans.ts";
import type { TelemetrySettings } from "./settings.ts";

/** What exporting needs from its host; tests inject the transport and the timer. */
export interface ExportDeps extends Partial<SpanDeps> {
  fetch?: typeof fetch;
  /** Starts the bound; returns a cancel function. Default `setTimeout`. */
  startTimer?: (ms: number, onTimeout: () => void) => () => void;
}

/** How an export went: sent, skipped (nothing to send, or an unsampled parent) or failed with a reason. */
export type ExportOutcome = { ok: true; spans: number } | { ok: false; reason: string } | { ok: "skipped" };

/**
 * Sends a finished run's spans to the OTLP/HTTP traces endpoint as JSON. Never throws and never
 * takes longer than `settings.timeoutMs` (at most 2 s): the request is aborted and the outcome is
 * a failure when the collector does not answer in time.
 */
export async function exportRun(
  events: readonly RunEvent[],
  settings: TelemetrySettings,
  deps: ExportDeps = {},
): Promise<ExportOutcome> {
  if (settings.parent && !settings.parent.sampled) return { ok: "skipped" };
  const tree = buildRunTree(events);
  if (!tree) return { ok: "skipped" };
  const body = runToOtlp(tree, settings, {
    randomHex: deps.randomHex ?? randomHex,
    providerName: deps.providerName ?? ((ref) => ref.split("/")[0] ?? ref),
    ...(deps.version ? { version: deps.version } : {}),
  });
  const spans = body.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0;
  const controller = new AbortController();
  const startTimer = deps.startTimer ?? defaultTimer;
  let cancel = () => {};
  const timedOut = new Promise<ExportOutcome>((resolve) => {
    cancel = startTimer(settings.timeoutMs, () => {
      controller.abort();
      resolve({ ok: false, reason: `no answer within ${settings.timeoutMs}ms` });
    });
  });
  const sent = (async (): Promise<ExportOutcome> => {
    try {
      const response = await (deps.fetch ?? fetch)(settings.endpoint, {
        method: "POST",
        headers: { ...settings.headers, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      await response.body?.cancel();
      return response.ok ? { ok: true, spans } : { ok: false, reason: `HTTP ${response.status}` };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  })();
  try {
    return await Promise.race([sent, timedOut]);
  } finally {
    cancel();
  }
}

function defaultTimer(ms: number, onTimeout: () => void): () => void {
  const timer = setTimeout(onTimeout, ms);
  return () => clearTimeout(timer);
}
