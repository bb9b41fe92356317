import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/index.ts";
import { decideApproval } from "../../src/runtime/decide-approval.ts";
import { DeferredRunStore } from "../../src/state/deferred-runs.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storeWithOnePending(): { store: DeferredRunStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "agentry-decide-"));
  dirs.push(dir);
  const store = new DeferredRunStore(dir);
  store.create(
    {
      run_id: "r1",
      agent: "ops",
      config: "agentry.toml",
      status: "awaiting_approval",
      created: "2026-01-01T00:00:00.000Z",
      request: { prompt: "go" },
      messages: [],
      turns: 1,
      usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      pending: [{ approval_id: "r1-c1", agent: "ops", call: { id: "c1", name: "sh", arguments: "{}" } }],
      resumes: 0,
    },
    {
      prompt: "go",
      messages: [],
      calls: [{ approval_id: "r1-c1", id: "c1", name: "sh", arguments: "{}", args: {} }],
    },
  );
  return { store, dir };
}

test("a decision is saved and audited once; the same decision again is a harmless repeat", async () => {
  const { store, dir } = storeWithOnePending();
  const auditPath = join(dir, "audit.jsonl");
  const audit = openAuditLog(auditPath);
  const first = decideApproval(store, audit, "r1-c1", { decision: "approve", by: "alice", reason: "ok" });
  expect(first.ok && !first.repeated).toBe(true);
  expect(store.load("r1").pending[0]?.decision).toMatchObject({
    decision: "approve",
    by: "alice",
    reason: "ok",
  });
  const again = decideApproval(store, audit, "r1-c1", { decision: "approve", by: "bob" });
  expect(again.ok && again.repeated).toBe(true);
  expect(store.load("r1").pending[0]?.decision?.by).toBe("alice");
  await audit.close();
  const approvals = readFileSync(auditPath, "utf8")
    .split("\n")
    .filter((line) => line.includes('"type":"approval"'));
  expect(approvals).toHaveLength(1);
  expect(approvals[0]).toContain('"by":"alice"');
});

test("a different decision on a decided approval is a conflict; an unknown id is unknown", () => {
  const { store } = storeWithOnePending();
  decideApproval(store, undefined, "r1-c1", { decision: "deny", by: "alice" });
  const conflict = decideApproval(store, undefined, "r1-c1", { decision: "approve", by: "bob" });
  expect(conflict).toMatchObject({ ok: false, reason: "conflict" });
  expect(store.load("r1").pending[0]?.decision?.decision).toBe("deny");
  expect(decideApproval(store, undefined, "r1-c9", { decision: "approve", by: "bob" })).toEqual({
    ok: false,
    reason: "unknown",
  });
});
