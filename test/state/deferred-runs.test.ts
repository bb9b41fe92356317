import { describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeferredRunStore } from "../../src/state/deferred-runs.ts";
import { StateIntegrityError } from "../../src/state/integrity-error.ts";
import { recordedDecisions } from "../../src/state/recorded-decisions.ts";
import { openStateKey } from "../../src/state/state-key.ts";
import { createDeferredRun, tempDirs } from "../support/deferred-run.ts";

const tempDir = tempDirs();

const SECRET = "hunter2-raw-secret-value";

function storeWithTwoCalls(): { store: DeferredRunStore; dir: string; file: string } {
  const dir = tempDir("agentry-runs-");
  const store = createDeferredRun(join(dir, "state"), {
    prompt: `use ${SECRET}`,
    shownPrompt: "use [PII:secret:abcdef]",
    calls: [
      { approval_id: "r1-aa", id: "c1", name: "sh", arguments: '{"command":"ls"}', args: { command: "ls" } },
      {
        approval_id: "r1-bb",
        id: "c2",
        name: "sh",
        arguments: '{"command":"rm x"}',
        args: { command: "rm x" },
      },
    ],
  });
  return { store, dir, file: join(dir, "state", "runs", "r1.json") };
}

function decideBoth(store: DeferredRunStore): void {
  const run = store.load("r1");
  for (const pending of run.pending) {
    store.decide(run, pending, { decision: "approve", by: "alice", at: "2026-01-01T00:01:00.000Z" });
  }
}

describe("deferred runs at rest", () => {
  test("raw values are sealed, readable copies redacted, files 0600 in 0700 dirs", () => {
    const { store, dir, file } = storeWithTwoCalls();
    expect(readFileSync(file, "utf8")).not.toContain(SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "state", "runs")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "state", "state.key")).mode & 0o777).toBe(0o600);
    expect(store.unseal(store.load("r1")).prompt).toBe(`use ${SECRET}`);
  });

  test("decisions verify against the exact sealed call", () => {
    const { store } = storeWithTwoCalls();
    decideBoth(store);
    const run = store.load("r1");
    expect(store.verifiedCall(run, run.pending[1] as never).args).toEqual({ command: "rm x" });
  });

  test("a decision moved to another call fails even under a valid file MAC", () => {
    const { store } = storeWithTwoCalls();
    const run = store.load("r1");
    store.decide(run, run.pending[0] as never, { decision: "approve", by: "alice", at: "t" });
    const moved = store.load("r1");
    const [first, second] = moved.pending;
    if (!first || !second) throw new Error("fixture");
    second.decision = first.decision;
    store.save(moved);
    expect(() => recordedDecisions(store, store.load("r1"))).toThrow(StateIntegrityError);
  });

  test("any edit to the file, an unknown format or a damaged seal is a StateIntegrityError", () => {
    const { store, file } = storeWithTwoCalls();
    decideBoth(store);
    const original = readFileSync(file, "utf8");
    const edits: ((run: Record<string, unknown> & { pending: { decision: { by: string } }[] }) => void)[] = [
      (run) => {
        (run.pending[0] as { decision: { by: string } }).decision.by = "mallory";
      },
      (run) => {
        run["turns"] = 0;
      },
      (run) => {
        run["format"] = 1;
      },
      (run) => {
        run["sealed"] = Buffer.from("x".repeat(64)).toString("base64");
      },
    ];
    for (const edit of edits) {
      const run = JSON.parse(original);
      edit(run);
      writeFileSync(file, JSON.stringify(run));
      expect(() => store.load("r1")).toThrow(StateIntegrityError);
    }
  });

  test("the seal is bound to its run id", () => {
    const { dir } = storeWithTwoCalls();
    const key = openStateKey(join(dir, "state"), { create: false });
    const sealed = key?.seal("raw", "r1") ?? "";
    expect(key?.unseal(sealed, "r1")).toBe("raw");
    expect(key?.unseal(sealed, "r2")).toBeUndefined();
  });

  test("a state key readable by others is refused", () => {
    const { dir } = storeWithTwoCalls();
    chmodSync(join(dir, "state", "state.key"), 0o644);
    expect(() => openStateKey(join(dir, "state"), { create: false })).toThrow("accessible by other users");
  });
});
