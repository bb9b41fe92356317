import { expect, test } from "bun:test";
import { createRedactor } from "../../src/redact/index.ts";
import { PLACEHOLDER } from "../../src/redact/placeholders.ts";
import { EventBus } from "../../src/runtime/event-bus.ts";
import type { RunEvent } from "../../src/spec/events.ts";

test("every event gets the envelope first, in order, then its own fields, all redacted", () => {
  const events: RunEvent[] = [];
  const redactor = createRedactor();
  const bus = new EventBus((event) => events.push(event), redactor);
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
    createRedactor(),
    () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  );
  const emit = bus.emitterFor("run1", "ops");
  const words = `${"word ".repeat(20)}hel`;
  emit({ type: "text_delta", text: words });
  emit({ type: "text_delta", text: "lo wor" });
  emit({ type: "message", role: "assistant", content: `${words}lo wor` });
  const texts = events.map((event) => (event.type === "text_delta" ? event.text : event.type));
  expect(texts.at(-1)).toBe("message");
  expect(texts.slice(0, -1).join("")).toBe(`${words}lo wor`);
  for (const text of texts.slice(0, -2)) expect(text).toMatch(/\s$/);
  expect(events.every((event) => event.ts === "2026-01-02T03:04:05.000Z")).toBe(true);
});

/** The text deltas a bus releases while `text` streams in `size`-character chunks, then a message. */
function streamed(text: string, size: number, secrets: string[] = []): string[] {
  const events: RunEvent[] = [];
  const bus = new EventBus((event) => events.push(event), createRedactor({ secrets }));
  const emit = bus.emitterFor("run1", "ops");
  for (let at = 0; at < text.length; at += size)
    emit({ type: "text_delta", text: text.slice(at, at + size) });
  emit({ type: "message", role: "assistant", content: text });
  return events.flatMap((event) => (event.type === "text_delta" ? [event.text] : []));
}

test("a configured secret holding spaces is never released in parts, however the stream is cut", () => {
  const passphrase = "open sesame zebra 4217";
  const text = `${"filler words here ".repeat(6)}the passphrase is ${passphrase} right, ${"and more ".repeat(12)}`;
  for (const size of [1, 3, 4, 7, 16]) {
    const deltas = streamed(text, size, [passphrase]);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).not.toContain("sesame zebra");
    expect(deltas.join("")).toContain("[PII:secret:");
    for (const delta of deltas) expect(delta).not.toMatch(/sesame|zebra|4217/);
  }
});

test("a card number written with spaces and a private key streamed line by line stay whole", () => {
  const card = "4111 1111 1111 1111";
  const key = `-----BEGIN PRIVATE KEY-----\n${"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n".repeat(8)}-----END PRIVATE KEY-----`;
  const text = `${"some words ".repeat(8)}card ${card} then\n${key}\n${"trailing words ".repeat(8)}`;
  for (const size of [2, 5, 9]) {
    const joined = streamed(text, size).join("");
    // The placeholders' own ids are random hex, which can hold "1111".
    const shown = joined.replace(PLACEHOLDER, "");
    expect(shown).not.toContain("1111");
    expect(shown).not.toContain("MIIEvQ");
    expect(joined).toContain("[PII:card:");
    expect(joined).toContain("[PII:private_key:");
  }
});
