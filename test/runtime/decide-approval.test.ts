import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openAuditLog, verifyAuditFile } from "../../src/audit/index.ts";
import { decideApproval } from "../../src/runtime/decide-approval.ts";
import type { DeferredRunStore } from "../../src/state/deferred-runs.ts";
import { createDeferredRun, tempDirs } from "../support/deferred-run.ts";

const tempDir = tempDirs();

/** Deferred run `r1` awaiting approval of one `sh` call per id (`r1-c1`, …), in a new state dir. */
function storeWithPending(ids: string[] = ["c1"]): { store: DeferredRunStore; dir: string } {
  const dir = tempDir("agentry-decide-");
  const calls = ids.map((id) => ({ approval_id: `r1-${id}`, id, name: "sh", arguments: "{}", args: {} }));
  return { store: createDeferredRun(dir, { prompt: "go", shownPrompt: "go", calls }), dir };
}

test("a decision is saved and audited once; the same decision again is a harmless repeat", async () => {
  const { store, dir } = storeWithPending();
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
  const { store } = storeWithPending();
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
  const { store, dir } = storeWithPending(["c1", "c2", "c3"]);
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

/**
 * A second process that records a deny on approval `r1-c1` the way `decideApproval` does (under
 * the run's decision lock, the run read once it holds it), but slowly: it reads the run, says
 * `locked`, waits for the file `go`, and only 200 ms later saves its decision and audits it.
 */
const SLOW_DECIDER = `
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openAuditLog } from "${join(import.meta.dir, "../../src/audit/index.ts")}";
import { DeferredRunStore } from "${join(import.meta.dir, "../../src/state/deferred-runs.ts")}";
const dir = process.argv[2];
const store = new DeferredRunStore(dir);
const release = store.lockDecisions("r1");
const run = store.load("r1");
const pending = run.pending.find((item) => item.approval_id === "r1-c1");
process.stdout.write("locked\\n");
while (!existsSync(join(dir, "go"))) await Bun.sleep(5);
await Bun.sleep(200);
const audit = openAuditLog(join(dir, "audit.jsonl"));
audit.continueChain("r1");
store.decide(run, pending, { decision: "deny", by: "bob", at: new Date().toISOString() });
audit.append({ run_id: "r1", agent: "ops", type: "approval", approval_id: "r1-c1", tool: "sh", call_id: "c1", decision: "deny", by: "bob" });
await audit.close();
release();
`;

test("two processes deciding one approval at once take turns: the later one sees the first decision as a conflict, and only one is recorded", async () => {
  const { store, dir } = storeWithPending();
  const script = join(dir, "slow-decider.ts");
  writeFileSync(script, SLOW_DECIDER);
  const child = Bun.spawn([process.execPath, script, dir], { stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.getReader();
  let said = "";
  while (!said.includes("locked\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the slow decider ended early: ${await new Response(child.stderr).text()}`);
    said += new TextDecoder().decode(value);
  }
  writeFileSync(join(dir, "go"), "");
  const auditPath = join(dir, "audit.jsonl");
  const audit = openAuditLog(auditPath);
  const outcome = decideApproval(store, audit, "r1-c1", { decision: "approve", by: "alice" });
  await audit.close();
  expect(await child.exited).toBe(0);
  expect(outcome).toMatchObject({ ok: false, reason: "conflict" });
  expect(store.load("r1").pending[0]?.decision).toMatchObject({ decision: "deny", by: "bob" });
  const approvals = readFileSync(auditPath, "utf8")
    .split("\n")
    .filter((line) => line.includes('"type":"approval"'));
  expect(approvals).toHaveLength(1);
  expect(approvals[0]).toContain('"by":"bob"');
  expect(await verifyAuditFile(auditPath)).toMatchObject({ ok: true, records: 1 });
});

test("a decision's audit line is written before its lock is let go, so the next decider continues the chain", async () => {
  const { store, dir } = storeWithPending(["c1", "c2"]);
  const auditPath = join(dir, "audit.jsonl");
  const server = openAuditLog(auditPath);
  const cli = openAuditLog(auditPath);
  expect(decideApproval(store, server, "r1-c1", { decision: "approve", by: "server:operator" }).ok).toBe(
    true,
  );
  expect(decideApproval(store, cli, "r1-c2", { decision: "deny", by: "alice" }).ok).toBe(true);
  await Promise.all([server.close(), cli.close()]);
  expect(await verifyAuditFile(auditPath)).toMatchObject({ ok: true, records: 2 });
});
