import { afterEach, expect, test } from "bun:test";
import type { ServerRuns } from "../../src/server/server-runs.ts";
import { askingAgent, ended, serverOver } from "../support/asking-agent.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server's run registry over a run of thread `th` that deferred two shell calls. */
async function twoInterrupts() {
  const agent = await askingAgent(() => [
    {
      toolCalls: [
        { id: "call-1", name: "sh", arguments: { command: "true one" } },
        { id: "call-2", name: "sh", arguments: { command: "true two" } },
      ],
    },
    { text: "done after approval" },
  ]);
  cleanups.push(() => agent.close());
  const { interrupts, runs } = serverOver(agent);
  const started = runs.start("ops", { runId: "run-1", threadId: "th", prompt: "deploy", resume: [] });
  if (!started.ok) throw new Error(started.message);
  await ended(started.run);
  const ids = interrupts.pending().map((record) => record.id);
  expect(ids).toHaveLength(2);
  const undecided = () =>
    agent.runtime.deferred.load(started.run.agentryRunId ?? "").pending.filter((item) => !item.decision)
      .length;
  return { runs, ids, undecided };
}

const approve = (interruptId: string) => ({
  interruptId,
  status: "resolved" as const,
  payload: { decision: "approve" },
});

test("an AG-UI resume that is refused records none of its decisions", async () => {
  const { runs, ids, undecided } = await twoInterrupts();
  const [first, second] = ids as [string, string];
  let attempts = 0;
  const resume = (entries: Parameters<ServerRuns["start"]>[1]["resume"]) =>
    runs.start("ops", { runId: `resume-${++attempts}`, threadId: "th", prompt: "", resume: entries });

  // One interrupt of the run left unanswered: 409, and the answered one is not recorded.
  expect(resume([approve(first)])).toMatchObject({ ok: false, status: 409, code: "undecided" });
  expect(undecided()).toBe(2);
  // An unknown interrupt after a good one: 404, and the good one is not recorded.
  expect(resume([approve(first), approve(`${second}0`)])).toMatchObject({ ok: false, status: 404 });
  expect(undecided()).toBe(2);
  // A payload that is not a decision after a good one: 400, nothing recorded.
  expect(
    resume([approve(first), { interruptId: second, status: "resolved", payload: { decision: "maybe" } }]),
  ).toMatchObject({ ok: false, status: 400 });
  expect(undecided()).toBe(2);

  // The same interrupt answered twice, approved then denied: 400, nothing recorded.
  expect(
    resume([approve(first), approve(second), { interruptId: first, status: "cancelled" }]),
  ).toMatchObject({ ok: false, status: 400 });
  expect(undecided()).toBe(2);

  // Denying them now is not a conflict with a decision the refused requests never made.
  expect(runs.decide(first, { decision: "deny", by: "alice" })).toMatchObject({ ok: true, repeated: false });
  const both = runs.decide(second, { decision: "deny", by: "alice" });
  if (!both.ok) throw new Error(both.message);
  const continued = runs.get(both.continuedAs ?? "");
  if (!continued) throw new Error("the run did not continue");
  await ended(continued);
  expect(continued.summary?.answer).toBe("done after approval");
});
