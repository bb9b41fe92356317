import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEncoder } from "@ag-ui/encoder";
import { createRuntime, loadConfigText } from "../../src/index.ts";
import { InterruptBook } from "../../src/server/interrupt-book.ts";
import type { ServerRun } from "../../src/server/server-run.ts";
import { ServerRuns } from "../../src/server/server-runs.ts";
import { ServerState } from "../../src/server/server-state.ts";
import { startMockProvider } from "../../src/testing/index.ts";
import { mockDefaultsToml, SHELL_TOOL_TOML } from "../support/workspace.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves once the run's stream has ended (after its last event). */
function ended(run: ServerRun): Promise<void> {
  return new Promise((resolve) => {
    run.log.follow(0, (frame) => {
      if (!frame) resolve();
    });
  });
}

/** A server's run registry over a run of thread `th` that deferred two shell calls. */
async function twoInterrupts() {
  const dir = mkdtempSync(join(tmpdir(), "agentry-resume-input-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const mock = await startMockProvider({
    turns: [
      {
        toolCalls: [
          { id: "call-1", name: "sh", arguments: { command: "true one" } },
          { id: "call-2", name: "sh", arguments: { command: "true two" } },
        ],
      },
      { text: "done after approval" },
    ],
  });
  cleanups.push(() => mock.close());
  const loaded = await loadConfigText(
    `${mockDefaultsToml(mock.baseUrls.openai, "ops")}
${SHELL_TOOL_TOML}
[agents.ops]
tools = ["sh"]
mode = "ask"
[agents.ops.policy]
approval = { tools = ["sh"] }
`,
  );
  const runtime = createRuntime(loaded, { stateDir: dir, env: { PATH: process.env["PATH"] } });
  cleanups.push(() => runtime.close());
  const state = new ServerState(dir);
  const now = () => new Date();
  const interrupts = new InterruptBook(state, runtime, 60_000, now);
  const runs = new ServerRuns({ runtime, loaded, state, interrupts, encoder: new EventEncoder(), now });
  const started = runs.start("ops", { runId: "run-1", threadId: "th", prompt: "deploy", resume: [] });
  if (!started.ok) throw new Error(started.message);
  await ended(started.run);
  const ids = interrupts.pending().map((record) => record.id);
  expect(ids).toHaveLength(2);
  const undecided = () =>
    runtime.deferred.load(started.run.agentryRunId ?? "").pending.filter((item) => !item.decision).length;
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

  // Denying them now is not a conflict with a decision the refused requests never made.
  expect(runs.decide(first, { decision: "deny", by: "alice" })).toMatchObject({ ok: true, repeated: false });
  const both = runs.decide(second, { decision: "deny", by: "alice" });
  if (!both.ok) throw new Error(both.message);
  const continued = runs.get(both.continuedAs ?? "");
  if (!continued) throw new Error("the run did not continue");
  await ended(continued);
  expect(continued.summary?.answer).toBe("done after approval");
});
