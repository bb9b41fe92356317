import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

test("fails closed: once the log cannot be written, a call is refused before anything below runs, and halts the run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "agentry-audit-layer-"));
  dirs.push(dir);
  writeFileSync(join(dir, "not-a-dir"), "");
  const log = openAuditLog(join(dir, "not-a-dir", "a.jsonl"));
  const layer = auditLayer({ log });
  let ran = 0;
  const result = await layer(fakeContext(), callOf(fakeTool("sh"), { cmd: "touch x" }, "c1"), async () => {
    ran += 1;
    return { ok: true, output: "ran" };
  });
  expect(ran).toBe(0);
  expect(result).toMatchObject({ ok: false, stop: { reason: "audit", by: "audit" }, halt: "audit" });
  expect(result.ok ? "" : result.error).not.toContain(dir);
  await expect(log.close()).rejects.toThrow("cannot write audit log");
});

test.skipIf(!existsSync("/dev/full"))(
  "a log whose first write fails is found before the next macrotask: the call in the same task is refused",
  async () => {
    const log = openAuditLog("/dev/full");
    log.append({ type: "run_start", run_id: "run1", agent: "ops", model: "m", prompt: "p" });
    const layer = auditLayer({ log });
    let ran = 0;
    const result = await layer(fakeContext(), callOf(fakeTool("sh"), {}, "c1"), async () => {
      ran += 1;
      return { ok: true, output: "ran" };
    });
    expect(ran).toBe(0);
    expect(result).toMatchObject({ ok: false, halt: "audit" });
    await expect(log.close()).rejects.toThrow("cannot write audit log /dev/full");
  },
);

test("a writable log lets calls through (its file is opened by the check)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "agentry-audit-layer-"));
  dirs.push(dir);
  const log = openAuditLog(join(dir, "sub", "a.jsonl"));
  expect(log.writeFailure()).toBeUndefined();
  expect(existsSync(join(dir, "sub", "a.jsonl"))).toBe(true);
  const result = await auditLayer({ log })(fakeContext(), callOf(fakeTool("sh")), async () => ({
    ok: true,
    output: "ok",
  }));
  expect(result.ok).toBe(true);
  await log.close();
});

test("a closed log refuses calls too: nothing runs that could no longer be recorded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "agentry-audit-layer-"));
  dirs.push(dir);
  const log = openAuditLog(join(dir, "a.jsonl"));
  await log.close();
  let ran = 0;
  const result = await auditLayer({ log })(fakeContext(), callOf(fakeTool("sh")), async () => {
    ran += 1;
    return { ok: true, output: "ran" };
  });
  expect(ran).toBe(0);
  expect(result).toMatchObject({ ok: false, halt: "audit" });
});
