import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunEvent } from "../../src/spec/events.ts";
import { exportRun } from "../../src/telemetry/export-run.ts";
import type { TelemetrySettings } from "../../src/telemetry/settings.ts";

const events = readFileSync(
  join(import.meta.dir, "../fixtures/runs/observed/records/r20261130T062014-e5701f.ndjson"),
  "utf8",
)
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as RunEvent);

const settings: TelemetrySettings = {
  endpoint: "http://collector.invalid/v1/traces",
  headers: {},
  serviceName: "agentry",
  captureContent: false,
  timeoutMs: 2000,
};

test("a collector that never answers: the request is aborted when the 2 s bound fires", async () => {
  let bound: number | undefined;
  let fire: (() => void) | undefined;
  let aborted = false;
  const outcome = exportRun(events, settings, {
    fetch: ((_url: string, init: RequestInit) =>
      new Promise<Response>(() => {
        init.signal?.addEventListener("abort", () => {
          aborted = true;
        });
      })) as unknown as typeof fetch,
    startTimer: (ms, onTimeout) => {
      bound = ms;
      fire = onTimeout;
      return () => {};
    },
  });
  await Promise.resolve();
  expect(bound).toBe(2000);
  fire?.();
  expect(await outcome).toEqual({ ok: false, reason: "no answer within 2000ms" });
  expect(aborted).toBe(true);
});

test("an answer in time cancels the bound; an error status is a failure", async () => {
  let cancelled = 0;
  const timer = (_ms: number, _onTimeout: () => void) => () => {
    cancelled += 1;
  };
  const ok = await exportRun(events, settings, {
    fetch: (async () => new Response("{}", { status: 200 })) as unknown as typeof fetch,
    startTimer: timer,
  });
  expect(ok).toEqual({ ok: true, spans: 10 });
  const rejected = await exportRun(events, settings, {
    fetch: (async () => new Response("no", { status: 401 })) as unknown as typeof fetch,
    startTimer: timer,
  });
  expect(rejected).toEqual({ ok: false, reason: "HTTP 401" });
  expect(cancelled).toBe(2);
});

test("an unsampled parent (traceparent flags 00) exports nothing", async () => {
  let called = false;
  const outcome = await exportRun(
    events,
    {
      ...settings,
      parent: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: false },
    },
    {
      fetch: (async () => {
        called = true;
        return new Response("{}");
      }) as unknown as typeof fetch,
    },
  );
  expect(outcome).toEqual({ ok: "skipped" });
  expect(called).toBe(false);
});
