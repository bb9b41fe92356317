import { expect, test } from "bun:test";
import { logger } from "../../src/middleware/logger/index.ts";
import { callOf, fakeContext, fakeTool, manualClock } from "./support.ts";

test("one structured line per call with redacted args, ok and duration", async () => {
  const clock = manualClock();
  const lines: Record<string, unknown>[] = [];
  const layer = logger({ sink: (line) => lines.push(line) });
  const ctx = fakeContext(clock);
  await layer(ctx, callOf(fakeTool("sh"), { command: "mail bob@example.org" }, "c1"), async () => {
    clock.advance(42);
    return { ok: false, output: "", error: "no", stop: { reason: "approval", by: "approval" } };
  });
  expect(lines).toHaveLength(1);
  const line = lines[0] as Record<string, unknown>;
  expect(line).toMatchObject({
    msg: "tool_call",
    level: "warn",
    run_id: "run1",
    agent: "ops",
    tool: "sh",
    call_id: "c1",
    ok: false,
    stopped_by: "approval",
    duration_ms: 42,
  });
  expect(JSON.stringify(line["args"])).not.toContain("bob@example.org");
  expect(JSON.stringify(line["args"])).toContain("[PII:email:");
});

test("a throwing sink never fails the call", async () => {
  const layer = logger({
    sink: () => {
      throw new Error("disk full");
    },
  });
  const result = await layer(fakeContext(), callOf(fakeTool()), async () => ({ ok: true, output: "fine" }));
  expect(result).toEqual({ ok: true, output: "fine" });
});
