import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/audit-log.ts";
import { auditLayer } from "../../src/middleware/audit/index.ts";
import { callOf, fakeContext, fakeTool } from "./support.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function records(run: (layer: ReturnType<typeof auditLayer>) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "agentry-audit-layer-"));
  dirs.push(dir);
  const log = openAuditLog(join(dir, "a.jsonl"));
  await run(auditLayer({ log, maxOutputChars: 10 }));
  await log.close();
  return readFileSync(join(dir, "a.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("an executed call is recorded with redacted args and shortened, redacted output", async () => {
  const out = await records(async (layer) => {
    await layer(fakeContext(), callOf(fakeTool("sh"), { to: "eve@example.com" }, "c1"), async () => ({
      ok: true,
      output: "eve@example.com said hello world",
    }));
  });
  expect(out).toHaveLength(1);
  expect(out[0]).toMatchObject({
    type: "tool_call",
    call_id: "c1",
    tool: "sh",
    decision: "executed",
    ok: true,
  });
  expect(JSON.stringify(out[0])).not.toContain("eve@example.com");
  expect(out[0]?.["output_chars"]).toBe(32);
});

test("refusals name the layer; approvals get their own records; a halt is marked on its call, never a policy_stop", async () => {
  const out = await records(async (layer) => {
    await layer(fakeContext(), callOf(fakeTool("sh"), {}, "c2"), async () => ({
      ok: false,
      output: "",
      error: "denied",
      stop: { reason: "approval", by: "approval" },
      approval: { approval_id: "run1-c2", decision: "deny", by: "bob", reason: "call 555-123-4567" },
    }));
    await layer(fakeContext(), callOf(fakeTool("sh"), {}, "c3"), async () => ({
      ok: false,
      output: "",
      error: "loop",
      stop: { reason: "loop", by: "loop_detection" },
      halt: "loop",
    }));
    await layer(fakeContext(), callOf(fakeTool("sh"), {}, "c4"), async () => ({
      ok: false,
      output: "",
      error: "slow",
      stop: { reason: "timeout", by: "timeout" },
    }));
  });
  expect(out.map((r) => r["type"])).toEqual(["approval", "tool_call", "tool_call", "tool_call"]);
  expect(out[0]).toMatchObject({ approval_id: "run1-c2", decision: "deny", by: "bob" });
  expect(String(out[0]?.["reason"])).toContain("[PII:phone:");
  expect(out[1]).toMatchObject({ decision: "refused", refused_by: "approval" });
  expect(out[2]).toMatchObject({ decision: "refused", refused_by: "loop_detection", halt: "loop" });
  expect(out[3]).toMatchObject({ decision: "executed", ok: false });
});

test("a throw below is recorded and rethrown", async () => {
  const out = await records(async (layer) => {
    await expect(
      layer(fakeContext(), callOf(fakeTool("sh")), async () => {
        throw new Error("bug");
      }),
    ).rejects.toThrow("bug");
  });
  expect(out[0]).toMatchObject({ type: "tool_call", ok: false, error: "threw: bug" });
});
