import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openAuditLog, verifyAuditFile } from "../../src/audit/index.ts";
import { decideApproval } from "../../src/runtime/decide-approval.ts";
import type { DeferredRunStore } from "../../src/state/deferred-runs.ts";
import { createDeferredRun, tempDirs } from "../support/deferred-run.ts";

const tempDir = tempDirs();

function storeWithOnePending(): { store: DeferredRunStore; dir: string } {
  const dir = tempDir("agentry-decide-");
  const store = createDeferredRun(dir, {
    prompt: "go",
    shownPrompt: "go",
    calls: [{ approval_id: "r1-c1", id: "c1", name: "sh", arguments: "{}", args: {} }],
  });
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

test("decisions on one deferred run recorded by two processes (serve, agentry approvals) keep one chain", async () => {
  const dir = tempDir("agentry-decide-");
  const calls = ["c1", "c2", "c3"].map((id) => ({
    approval_id: `r1-${id}`,
    id,
    name: "sh",
    arguments: "{}",
    args: {},
  }));
  const store = createDeferredRun(dir, { prompt: "go", shownPrompt: "go", calls });
  const auditPath = join(dir, "audit.jsonl");
  const server = openAuditLog(auditPath);
  expect(decideApproval(store, server, "r1-c1", { decision: "approve", by: "server:operator" }).ok).toBe(
    true,
  );
  await server.flush();
  const cli = openAuditLog(auditPath);
  expect(decideApproval(store, cli, "r1-c2", { decision: "approve", by: "alice" }).ok).toBe(true);
  await cli.close();
  expect(decideApproval(store, server, "r1-c3", { decision: "deny", by: "server:operator" }).ok).toBe(true);
  await server.close();
  expect(await verifyAuditFile(auditPath)).toMatchObject({ ok: true, records: 3 });
});
