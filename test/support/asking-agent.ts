import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEncoder } from "@ag-ui/encoder";
import { createRuntime, type LoadedConfig, loadConfigText, type Runtime } from "../../src/index.ts";
import { InterruptBook } from "../../src/server/interrupt-book.ts";
import type { ServerRun } from "../../src/server/server-run.ts";
import { ServerRuns } from "../../src/server/server-runs.ts";
import { ServerState } from "../../src/server/server-state.ts";
import { type MockTurn, startMockProvider } from "../../src/testing/index.ts";
import { mockDefaultsToml, SHELL_TOOL_TOML } from "./workspace.ts";

/** A runtime in a new state dir whose agent `ops` must ask before every `sh` call. */
export interface AskingAgent {
  dir: string;
  loaded: LoadedConfig;
  runtime: Runtime;
  /** Closes the runtime and the mock model, removes the state dir. */
  close(): Promise<void>;
}

/**
 * Starts a mock model playing the turns `script` gives for the new state dir, and a runtime (state
 * dir `dir`, audit log `dir/audit.jsonl`) whose default agent `ops` has a shell tool `sh` that
 * needs approval (`mode = "ask"`).
 */
export async function askingAgent(script: (dir: string) => MockTurn[]): Promise<AskingAgent> {
  const dir = mkdtempSync(join(tmpdir(), "agentry-asking-"));
  const mock = await startMockProvider({ turns: script(dir) });
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
  return {
    dir,
    loaded,
    runtime,
    async close() {
      await runtime.close();
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The turns of an agent that asks to run one `sh` call (id `call-<suffix>`, or `call-1`) appending
 * `ran<suffix>` to `dir/calls.log`, then answers "done after approval"; for `askingAgent`.
 */
export function oneLoggedCall(dir: string, suffix = ""): MockTurn[] {
  return [
    {
      toolCalls: [
        {
          id: `call-${suffix || "1"}`,
          name: "sh",
          arguments: { command: `echo ran${suffix} >> ${join(dir, "calls.log")}` },
        },
      ],
    },
    { text: "done after approval" },
  ];
}

/**
 * The server's run registry and interrupt book over an agent's runtime, as `agentry serve` builds
 * them (`keptDecisions` overrides the registry's default).
 */
export function serverOver(
  agent: AskingAgent,
  options: { keptDecisions?: number } = {},
): { interrupts: InterruptBook; runs: ServerRuns } {
  const state = new ServerState(agent.dir);
  const now = () => new Date();
  const interrupts = new InterruptBook(state, agent.runtime, 60_000, now);
  const runs = new ServerRuns({
    runtime: agent.runtime,
    loaded: agent.loaded,
    state,
    interrupts,
    encoder: new EventEncoder(),
    now,
    ...options,
  });
  return { interrupts, runs };
}

/** Resolves once the run's stream has ended (after its last event). */
export function ended(run: ServerRun): Promise<void> {
  return new Promise((resolve) => {
    run.log.follow(0, (frame) => {
      if (!frame) resolve();
    });
  });
}

/**
 * Starts a run of `ops` on `threadId` over the registry, waits for it to end awaiting approval and
 * returns the id of its first pending interrupt.
 */
export async function interruptedRun(
  server: { interrupts: InterruptBook; runs: ServerRuns },
  runId: string,
  threadId: string,
): Promise<string> {
  const started = server.runs.start("ops", { runId, threadId, prompt: "deploy", resume: [] });
  if (!started.ok) throw new Error(started.message);
  await ended(started.run);
  const pending = server.interrupts.pending().find((record) => record.runId === runId);
  if (!pending) throw new Error(`run ${runId} deferred no call`);
  return pending.id;
}
