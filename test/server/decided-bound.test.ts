import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRuntime } from "../../src/index.ts";
import { askingAgent, ended, interruptedRun, oneLoggedCall, serverOver } from "../support/asking-agent.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Runs `ops` on `thread` until it asks, approves its interrupt over the registry and waits for the
 * continuation to end; returns the interrupt id.
 */
async function approvedRun(
  server: ReturnType<typeof serverOver>,
  runId: string,
  thread: string,
): Promise<string> {
  const id = await interruptedRun(server, runId, thread);
  const decided = server.runs.decide(id, { decision: "approve", by: "server:operator" });
  if (!decided.ok) throw new Error(decided.message);
  expect(decided.repeated).toBe(false);
  const continued = server.runs.get(decided.continuedAs ?? "");
  if (!continued) throw new Error(`run ${runId} did not continue`);
  await ended(continued);
  expect(continued.summary?.answer).toBe("done after approval");
  return id;
}

test("the decisions of continued runs are remembered up to a bound: the most recent still answer repeated (and conflict), an older one is forgotten; nothing runs twice", async () => {
  const agent = await askingAgent((dir) => ["1", "2", "3"].flatMap((n) => oneLoggedCall(dir, n)));
  cleanups.push(() => agent.close());
  const server = serverOver(agent, { keptDecisions: 2 });
  const { runs } = server;

  const first = await approvedRun(server, "run-1", "t1");
  const second = await approvedRun(server, "run-2", "t2");
  // Reading the first makes it the most recently used: the second is the one forgotten next.
  expect(runs.decide(first, { decision: "approve", by: "server:operator" })).toMatchObject({
    ok: true,
    repeated: true,
  });
  const third = await approvedRun(server, "run-3", "t3");

  expect(runs.decide(third, { decision: "approve", by: "server:approver" })).toMatchObject({
    ok: true,
    repeated: true,
    decision: { decision: "approve", by: "server:operator" },
  });
  expect(runs.decide(first, { decision: "deny", by: "server:operator" })).toMatchObject({
    ok: false,
    status: 409,
  });
  const forgotten = runs.decide(second, { decision: "approve", by: "server:operator" });
  expect(forgotten).toMatchObject({ ok: false, status: 404, code: "unknown_interrupt" });
  expect(readFileSync(join(agent.dir, "calls.log"), "utf8")).toBe("ran1\nran2\nran3\n");
});

test("an interrupt whose run was decided and resumed outside the server (agentry approvals, agentry resume) is forgotten, in memory and in interrupts.json", async () => {
  const agent = await askingAgent((dir) => oneLoggedCall(dir));
  cleanups.push(() => agent.close());
  const server = serverOver(agent);
  const { interrupts } = server;
  const id = await interruptedRun(server, "run-1", "th");

  const outside = createRuntime(agent.loaded, { stateDir: agent.dir, env: { PATH: process.env["PATH"] } });
  expect(outside.decide(id, { decision: "approve", by: "alice" }).ok).toBe(true);
  expect((await outside.resume("run-1")).status).toBe("ok");
  await outside.close();

  expect(interrupts.pending()).toEqual([]);
  expect(interrupts.get(id)).toBeUndefined();
  expect(readFileSync(join(agent.dir, "server", "interrupts.json"), "utf8")).not.toContain(id);
  expect(readFileSync(join(agent.dir, "calls.log"), "utf8")).toBe("ran\n");
});
