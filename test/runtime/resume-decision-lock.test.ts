import { afterEach, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyAuditFile } from "../../src/audit/index.ts";
import { askingAgent } from "../support/asking-agent.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A second process (`agentry approvals approve`) recording the last decision of run `r1` the way
 * `decideApproval` does (under the run's decision lock: chain continued, decision saved, audit
 * line written, lock let go), but slowly: once the decision is saved it says `saved`, waits for
 * the file `go`, and writes its audit line 200 ms later.
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
const pending = run.pending[0];
const audit = openAuditLog(join(dir, "audit.jsonl"));
audit.continueChain("r1");
store.decide(run, pending, { decision: "approve", by: "alice", at: new Date().toISOString() });
process.stdout.write("saved\\n");
while (!existsSync(join(dir, "go"))) await Bun.sleep(5);
await Bun.sleep(200);
audit.append({ run_id: "r1", agent: "ops", type: "approval", approval_id: pending.approval_id, tool: "sh", call_id: pending.call.id, decision: "approve", by: "alice" });
audit.flushSync();
release();
await audit.close();
`;

test("a resume that starts while another process is still recording the run's last decision waits for its audit line: the run's chain does not fork", async () => {
  const agent = await askingAgent((dir) => [
    {
      toolCalls: [
        { id: "call-1", name: "sh", arguments: { command: `echo ran >> ${join(dir, "calls.log")}` } },
      ],
    },
    { text: "done after approval" },
  ]);
  cleanups.push(() => agent.close());
  const { dir, runtime } = agent;
  const log = join(dir, "calls.log");
  const deferred = await runtime.run({ runId: "r1", prompt: "deploy", approve: "defer" });
  expect(deferred.status).toBe("awaiting_approval");

  const script = join(dir, "slow-decider.ts");
  writeFileSync(script, SLOW_DECIDER);
  const child = Bun.spawn([process.execPath, script, dir], { stdout: "pipe", stderr: "pipe" });
  cleanups.push(() => {
    child.kill();
  });
  const reader = child.stdout.getReader();
  let said = "";
  while (!said.includes("saved\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the slow decider ended early: ${await new Response(child.stderr).text()}`);
    said += new TextDecoder().decode(value);
  }
  writeFileSync(join(dir, "go"), "");
  const resumed = await runtime.resume("r1", {});
  expect(await child.exited).toBe(0);

  expect(resumed.answer).toBe("done after approval");
  expect(readFileSync(log, "utf8")).toBe("ran\n");
  const verified = await verifyAuditFile(join(dir, "audit.jsonl"));
  expect(verified).toMatchObject({ ok: true });
});
