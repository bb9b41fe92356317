import { interpolate } from "../config/interpolate.ts";
import type { Config } from "../config/schema.ts";

/** The most an export may add to the end of a run (SPEC: an unreachable collector never holds the exit). */
export const MAX_EXPORT_MS = 2000;

/** A parent span from a W3C `traceparent` (a CI system's trace). */
export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** Where and how run traces are exported; resolved once per runtime, without loading the exporter. */
export interface TelemetrySettings {
  /** The OTLP/HTTP traces URL. */
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  /** Redacted message content in span attributes (the GenAI opt-in). */
  captureContent: boolean;
  timeoutMs: number;
  parent?: TraceParent;
}

const CAPTURE_VALUES = new Set(["true", "span_only", "span_and_event"]);
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Telemetry settings from `[telemetry]` and the standard variables, or undefined when export is
 * not configured (nothing is then loaded or sent). `[telemetry].endpoint` wins over
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), which wins over `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (`/v1/traces` appended); `enabled = false` or `OTEL_SDK_DISABLED=true` turn export off. Header
 * values from `[telemetry].headers` may use `${VAR}`, and are secrets.
 */
export function telemetrySettings(
  config: Config["telemetry"],
  env: Record<string, string | undefined>,
): TelemetrySettings | undefined {
  if (config?.enabled === false || env["OTEL_SDK_DISABLED"]?.trim().toLowerCase() === "true")
    return undefined;
  const endpoint =
    config?.endpoint ??
    tracesEndpoint(env) ??
    (config?.enabled ? "http://localhost:4318/v1/traces" : undefined);
  if (!endpoint) return undefined;
  const headers = parseHeaders(
    env["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] ?? env["OTEL_EXPORTER_OTLP_HEADERS"] ?? "",
  );
  for (const [name, value] of Object.entries(config?.headers ?? {})) {
    headers[name.toLowerCase()] = interpolate(value, `telemetry.headers.${name}`, env).value;
  }
  const captureEnv = env["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"]?.trim().toLowerCase() ?? "";
  const timeout = Number(env["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"] ?? env["OTEL_EXPORTER_OTLP_TIMEOUT"]);
  const parent = parseTraceParent(env["TRACEPARENT"]);
  return {
    endpoint,
    headers,
    serviceName: config?.service_name ?? (env["OTEL_SERVICE_NAME"] || "agentry"),
    captureContent: config?.capture_content ?? CAPTURE_VALUES.has(captureEnv),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, MAX_EXPORT_MS) : MAX_EXPORT_MS,
    ...(parent ? { parent } : {}),
  };
}

function tracesEndpoint(env: Record<string, string | undefined>): string | undefined {
  const traces = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]?.trim();
  if (traces) return traces;
  const base = env["OTEL_EXPORTER_OTLP_ENDPOINT"]?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs separated by commas, values URL-encoded. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim().toLowerCase();
    const raw = pair.slice(at + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // kept as written
    }
    if (name) headers[name] = value;
  }
  return headers;
}

/** A W3C `traceparent` header value, or undefined when absent or malformed (all-zero ids, version ff). */
export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  const match = TRACEPARENT.exec(value?.trim().toLowerCase() ?? "");
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === "ff" || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
