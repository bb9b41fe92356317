import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRuntime } from "../../src/index.ts";
import type { ServerRuns } from "../../src/server/server-runs.ts";
import { askingAgent, ended, oneLoggedCall, serverOver } from "../support/asking-agent.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The server's runs over a runtime whose agent `ops` asks before its one `sh` call (which appends
 * `ran` to `log`), then answers "done after approval"; all in a new state dir.
 */
async function serverWithOneAsk() {
  const agent = await askingAgent((dir) => oneLoggedCall(dir));
  cleanups.push(() => agent.close());
  return { dir: agent.dir, log: join(agent.dir, "calls.log"), loaded: agent.loaded, ...serverOver(agent) };
}

test("the last interrupt decided while its own run still holds the thread: the continuation waits for the thread, then runs the call once", async () => {
  const { log, interrupts, runs } = await serverWithOneAsk();

  // An approver watching the interrupt list decides the moment the interrupt appears: the run
  // that deferred it has not ended yet, so its thread is still busy.
  let decided: ReturnType<ServerRuns["decide"]> | undefined;
  interrupts.watch(() => {
    const [pending] = interrupts.pending();
    if (decided || !pending) return;
    decided = runs.decide(pending.id, { decision: "approve", by: "test" });
  });
  const started = runs.start("ops", {
    runId: "run-1",
    threadId: "th",
    prompt: "deploy",
    resume: [],
  });
  if (!started.ok) throw new Error(started.message);
  await ended(started.run);

  if (!decided?.ok) throw new Error(`no decision: ${JSON.stringify(decided)}`);
  expect(decided.continuedAs).toBeString();
  const continued = runs.get(decided.continuedAs ?? "");
  if (!continued) throw new Error("the continuation is unknown");
  await ended(continued);
  expect(continued.status).toBe("ok");
  expect(continued.summary?.answer).toBe("done after approval");
  expect(runs.get("run-1")?.continuedBy).toBe(decided.continuedAs);
  expect(readFileSync(log, "utf8")).toBe("ran\n");
  expect(interrupts.pending()).toEqual([]);
});

test("an interrupt decided outside the server (agentry approvals) continues its run when the same decision is posted", async () => {
  const { dir, log, loaded, interrupts, runs } = await serverWithOneAsk();
  const started = runs.start("ops", { runId: "run-1", threadId: "th", prompt: "deploy", resume: [] });
  if (!started.ok) throw new Error(started.message);
  await ended(started.run);
  const [pending] = interrupts.pending();
  if (!pending) throw new Error("the run deferred no call");

  // `agentry approvals approve ID` in a shell records the decision in the same state directory.
  const outside = createRuntime(loaded, { stateDir: dir, env: { PATH: process.env["PATH"] } });
  expect(outside.decide(pending.id, { decision: "approve", by: "alice" }).ok).toBe(true);
  await outside.close();

  const decided = runs.decide(pending.id, { decision: "approve", by: "server:approver" });
  if (!decided.ok) throw new Error(decided.message);
  expect(decided.repeated).toBe(true);
  expect(decided.decision.by).toBe("alice");
  const continued = runs.get(decided.continuedAs ?? "");
  if (!continued) throw new Error("the run did not continue");
  await ended(continued);
  expect(continued.summary?.answer).toBe("done after approval");
  expect(readFileSync(log, "utf8")).toBe("ran\n");
  const again = runs.decide(pending.id, { decision: "approve", by: "server:approver" });
  expect(again).toMatchObject({ ok: true, repeated: true });
  expect(again).not.toHaveProperty("continuedAs");
  expect(readFileSync(log, "utf8")).toBe("ran\n");
});
