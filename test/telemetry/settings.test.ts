import { expect, test } from "bun:test";
import { parseHeaders, parseTraceParent, telemetrySettings } from "../../src/telemetry/settings.ts";

test("nothing configured: no telemetry at all", () => {
  expect(telemetrySettings(undefined, {})).toBeUndefined();
  expect(telemetrySettings({}, { OTEL_SERVICE_NAME: "x" })).toBeUndefined();
});

test("endpoint precedence: [telemetry].endpoint, then the traces variable as is, then the base + /v1/traces", () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://base:4318/",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:1/x",
  };
  expect(telemetrySettings({ endpoint: "http://c:2/v1/traces" }, env)?.endpoint).toBe("http://c:2/v1/traces");
  expect(telemetrySettings(undefined, env)?.endpoint).toBe("http://t:1/x");
  expect(telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://base:4318/" })?.endpoint).toBe(
    "http://base:4318/v1/traces",
  );
  expect(telemetrySettings({ enabled: true }, {})?.endpoint).toBe("http://localhost:4318/v1/traces");
});

test("off switches: enabled = false and OTEL_SDK_DISABLED", () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://base:4318" };
  expect(telemetrySettings({ enabled: false }, env)).toBeUndefined();
  expect(telemetrySettings(undefined, { ...env, OTEL_SDK_DISABLED: "true" })).toBeUndefined();
});

test("the flush bound is 2 s at most, shorter when OTEL_EXPORTER_OTLP_TIMEOUT asks", () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://base:4318" };
  expect(telemetrySettings(undefined, env)?.timeoutMs).toBe(2000);
  expect(telemetrySettings(undefined, { ...env, OTEL_EXPORTER_OTLP_TIMEOUT: "10000" })?.timeoutMs).toBe(2000);
  expect(telemetrySettings(undefined, { ...env, OTEL_EXPORTER_OTLP_TIMEOUT: "500" })?.timeoutMs).toBe(500);
});

test("content capture only with the opt-in", () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://base:4318" };
  expect(telemetrySettings(undefined, env)?.captureContent).toBe(false);
  for (const value of ["true", "SPAN_ONLY", "span_and_event"]) {
    expect(
      telemetrySettings(undefined, { ...env, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: value })
        ?.captureContent,
    ).toBe(true);
  }
  expect(
    telemetrySettings(undefined, { ...env, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "NO_CONTENT" })
      ?.captureContent,
  ).toBe(false);
});

test("headers: comma-separated, URL-decoded, config values interpolated and winning", () => {
  expect(parseHeaders("a=1, B = x%20y ,bad,=v")).toEqual({ a: "1", b: "x y" });
  const settings = telemetrySettings(
    { endpoint: "http://c/v1/traces", headers: { Authorization: `Bearer \${KEY}` } },
    { OTEL_EXPORTER_OTLP_HEADERS: "authorization=old,x=1", KEY: "k-123" },
  );
  expect(settings?.headers).toEqual({ authorization: "Bearer k-123", x: "1" });
});

test("traceparent: version 00 parsed; malformed, all-zero or version ff ignored", () => {
  expect(parseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toEqual({
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    sampled: true,
  });
  expect(parseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.sampled).toBe(false);
  for (const bad of [
    undefined,
    "",
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
  ]) {
    expect(parseTraceParent(bad)).toBeUndefined();
  }
});
