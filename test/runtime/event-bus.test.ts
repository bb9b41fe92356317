import { expect, test } from "bun:test";
import { createRedactor } from "../../src/redact/index.ts";
import { EventBus } from "../../src/runtime/event-bus.ts";
import type { RunEvent } from "../../src/spec/events.ts";

test("every event gets the envelope first, in order, then its own fields, all redacted", () => {
  const events: RunEvent[] = [];
  const redactor = createRedactor();
  const bus = new EventBus(
    (event) => events.push(event),
    (value) => redactor.redactValue(value),
  );
  const emit = bus.emitterFor("run1", "ops");
  const before = Date.now();
  emit({
    type: "tool_result",
    id: "c1",
    name: "sh",
    ok: true,
    output: "mail alice@example.com",
    duration_ms: 3,
  });
  emit({ type: "warning", message: "from bob@example.com" });
  const [result, warning] = events;
  expect(Object.keys(result ?? {})).toEqual([
    "v",
    "type",
    "ts",
    "run_id",
    "agent",
    "id",
    "name",
    "ok",
    "output",
    "duration_ms",
  ]);
  expect(result).toMatchObject({ type: "tool_result", run_id: "run1", agent: "ops", id: "c1" });
  expect(JSON.stringify(events)).not.toContain("@example.com");
  expect(warning?.type).toBe("warning");
  const ts = Date.parse(String(result?.ts));
  expect(ts).toBeGreaterThanOrEqual(before);
  expect(ts).toBeLessThanOrEqual(Date.now());
});

test("an injected clock sets ts; streamed text is held back to a word boundary", () => {
  const events: RunEvent[] = [];
  const bus = new EventBus(
    (event) => events.push(event),
    (value) => value,
    () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  );
  const emit = bus.emitterFor("run1", "ops");
  emit({ type: "text_delta", text: "hel" });
  emit({ type: "text_delta", text: "lo wor" });
  emit({ type: "message", role: "assistant", content: "hello world" });
  expect(events.map((event) => (event.type === "text_delta" ? event.text : event.type))).toEqual([
    "hello ",
    "wor",
    "message",
  ]);
  expect(events.every((event) => event.ts === "2026-01-02T03:04:05.000Z")).toBe(true);
});
