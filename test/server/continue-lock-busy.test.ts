import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { askingAgent, ended, interruptedRun, oneLoggedCall, serverOver } from "../support/asking-agent.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test("a continuation whose resume meets a busy decision lock fails without running anything and leaves its interrupts, so posting the decision again continues the run once", async () => {
  const agent = await askingAgent((dir) => oneLoggedCall(dir));
  cleanups.push(() => agent.close());
  const server = serverOver(agent);
  const { interrupts, runs } = server;
  const id = await interruptedRun(server, "run-1", "th");
  const log = join(agent.dir, "calls.log");

  const decided = runs.decide(id, { decision: "approve", by: "server:operator" });
  if (!decided.ok) throw new Error(decided.message);
  // The continuation starts on the next turn of the event loop: before it, a live process (this
  // test) takes the run's decision lock, as an `agentry approvals` stopped while holding it would.
  const lock = join(agent.dir, "runs", "run-1.json.decide.lock");
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), nonce: "held-by-test" }));
  const failed = runs.get(decided.continuedAs ?? "");
  if (!failed) throw new Error("the run did not continue");
  await ended(failed);
  expect(failed.status).toBe("failed");
  expect(existsSync(log)).toBe(false);
  expect(interrupts.get(id)).toMatchObject({ id, runId: "run-1" });
  expect(readFileSync(join(agent.dir, "server", "interrupts.json"), "utf8")).toContain(id);

  rmSync(lock);
  const again = runs.decide(id, { decision: "approve", by: "server:operator" });
  if (!again.ok) throw new Error(again.message);
  expect(again.repeated).toBe(true);
  const continued = runs.get(again.continuedAs ?? "");
  if (!continued) throw new Error("the repeated decision did not continue the run");
  await ended(continued);
  expect(continued.summary?.answer).toBe("done after approval");
  expect(readFileSync(log, "utf8")).toBe("ran\n");
  expect(interrupts.get(id)).toBeUndefined();
}, 30_000);
