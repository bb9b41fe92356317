import { afterEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeferredRunStore, type SealedCall } from "../../src/state/deferred-runs.ts";

/**
 * A maker of temporary directories that are removed after each test (registers that `afterEach`
 * in the calling test file, so call it at its top level).
 */
export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** What the deferred run `r1` of `createDeferredRun` holds. */
export interface DeferredRunFixture {
  /** The prompt as the user gave it: sealed, with the calls. */
  prompt: string;
  /** The prompt as the readable part of the file shows it (redacted). */
  shownPrompt: string;
  /** The calls awaiting approval, exactly as they were made. */
  calls: SealedCall[];
}

/**
 * Creates deferred run `r1` of agent `ops` (config `agentry.toml`, one turn, no usage), awaiting
 * approval of `fixture.calls`, in a new store at `stateDir`.
 */
export function createDeferredRun(stateDir: string, fixture: DeferredRunFixture): DeferredRunStore {
  const store = new DeferredRunStore(stateDir);
  store.create(
    {
      run_id: "r1",
      agent: "ops",
      config: "agentry.toml",
      status: "awaiting_approval",
      created: "2026-01-01T00:00:00.000Z",
      request: { prompt: fixture.shownPrompt },
      messages: [{ role: "user", content: fixture.shownPrompt }],
      turns: 1,
      usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      pending: fixture.calls.map((call) => ({
        approval_id: call.approval_id,
        agent: "ops",
        call: { id: call.id, name: call.name, arguments: call.arguments },
      })),
      resumes: 0,
    },
    { prompt: fixture.prompt, messages: [{ role: "user", content: fixture.prompt }], calls: fixture.calls },
  );
  return store;
}
