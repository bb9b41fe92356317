import { expect, test } from "bun:test";
import { redactEvents, sameRecordedText } from "../../src/providers/replay/redact-cassette.ts";

const redact = (text: string) => text.replaceAll("s3cret-value", "[PII:secret:abc123]");

test("a secret split across text deltas and argument fragments is redacted whole", () => {
  const events = redactEvents(
    [
      { type: "text-delta", text: "using s3c" },
      { type: "text-delta", text: "ret-value now" },
      { type: "tool-call-start", index: 0, id: "c1", name: "sh" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"command":"echo s3' },
      { type: "tool-call-delta", index: 0, argumentsDelta: 'cret-value"}' },
      {
        type: "tool-call-end",
        index: 0,
        call: { id: "c1", name: "sh", arguments: '{"command":"echo s3cret-value"}' },
      },
      { type: "finish", reason: "tool-calls" },
    ],
    redact,
  );
  expect(events).toEqual([
    { type: "text-delta", text: "using [PII:secret:abc123] now" },
    { type: "tool-call-start", index: 0, id: "c1", name: "sh" },
    { type: "tool-call-delta", index: 0, argumentsDelta: '{"command":"echo [PII:secret:abc123]"}' },
    {
      type: "tool-call-end",
      index: 0,
      call: { id: "c1", name: "sh", arguments: '{"command":"echo [PII:secret:abc123]"}' },
    },
    { type: "finish", reason: "tool-calls" },
  ]);
});

test("a recorded placeholder matches any non-empty text; the rest must be equal", () => {
  const recorded = "deploy [PII:secret:abc123] to [PII:email:0f0f0f] (x.y*)";
  expect(sameRecordedText(recorded, "deploy s3cret to alice@example.com (x.y*)")).toBe(true);
  expect(sameRecordedText(recorded, "deploy [PII:secret:ffffff] to [PII:email:eeeeee] (x.y*)")).toBe(true);
  expect(sameRecordedText(recorded, "deploy s3cret to alice@example.com (xzy*)")).toBe(false);
  expect(sameRecordedText(recorded, "deploy  to alice (x.y*)")).toBe(false);
  expect(sameRecordedText("plain", "plain")).toBe(true);
  expect(sameRecordedText("plain", "other")).toBe(false);
});

test("events with nothing to redact are kept as they streamed", () => {
  const events = [
    { type: "text-delta", text: "Both " },
    { type: "text-delta", text: "tools" },
    { type: "tool-call-start", index: 0, id: "c1", name: "sh" },
    { type: "tool-call-delta", index: 0, argumentsDelta: '{"command":' },
    { type: "tool-call-delta", index: 0, argumentsDelta: '"ls"}' },
    { type: "tool-call-end", index: 0, call: { id: "c1", name: "sh", arguments: '{"command":"ls"}' } },
  ] as const;
  expect(redactEvents([...events], redact)).toEqual([...events]);
});
