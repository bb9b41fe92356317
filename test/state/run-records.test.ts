import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../../src/spec/events.ts";
import { RunRecords } from "../../src/state/run-records.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ending = {
  status: "ok" as const,
  stopReason: "answer",
  exitCode: 0,
  durationMs: 5,
  turns: 1,
  usage: { input_tokens: 1, output_tokens: 1, cost_usd: 0 },
};

function event(runId: string, type: "run_start" | "text_delta"): RunEvent {
  const envelope = { v: 1 as const, ts: "2026-11-30T00:00:00.000Z", run_id: runId, agent: "a" };
  return type === "run_start"
    ? { ...envelope, type, model: "m", prompt: "p" }
    : { ...envelope, type, text: "streamed" };
}

test("keep_days drops finished runs older than the limit; streamed text is not recorded", () => {
  dir = mkdtempSync(join(tmpdir(), "agentry-records-"));
  let now = Date.parse("2026-11-01T00:00:00Z");
  const records = new RunRecords(dir, { keepRuns: 100, keepDays: 7 }, () => new Date(now));
  const old = records.open("r-old", { agent: "a", model: "m" });
  old?.write(event("r-old", "run_start"));
  old?.write(event("r-old", "text_delta"));
  old?.finish(ending);
  expect(records.events("r-old").map((e) => e.type)).toEqual(["run_start"]);
  now += 8 * 86_400_000;
  const fresh = new RunRecords(dir, { keepRuns: 100, keepDays: 7 }, () => new Date(now));
  fresh.open("r-new", { agent: "a", model: "m" })?.finish(ending);
  expect(fresh.list().map((run) => run.run_id)).toEqual(["r-new"]);
  expect(readdirSync(fresh.dir).sort()).toEqual(["r-new.json", "r-new.ndjson"]);
});

test("a run still going is never pruned to make room; invalid ids are not recorded", () => {
  dir = mkdtempSync(join(tmpdir(), "agentry-records-"));
  let tick = Date.parse("2026-11-01T00:00:00Z");
  const records = new RunRecords(dir, { keepRuns: 1, keepDays: 30 }, () => {
    tick += 1000;
    return new Date(tick);
  });
  const going = records.open("r-going", { agent: "a", model: "m" });
  records.open("r-next", { agent: "a", model: "m" })?.finish(ending);
  expect(going).toBeDefined();
  expect(records.list().map((run) => [run.run_id, run.status])).toEqual([
    ["r-next", "ok"],
    ["r-going", "running"],
  ]);
  records.open("r-last", { agent: "a", model: "m" })?.finish(ending);
  expect(records.list().map((run) => run.run_id)).toEqual(["r-last", "r-going"]);
  expect(records.open("../escape", { agent: "a", model: "m" })).toBeUndefined();
  expect(records.summary("../escape")).toBeUndefined();
});

test("retention runs when a run ends, not before it starts (nothing is listed before the first request)", () => {
  dir = mkdtempSync(join(tmpdir(), "agentry-records-"));
  let tick = Date.parse("2026-11-01T00:00:00Z");
  const clock = () => {
    tick += 1000;
    return new Date(tick);
  };
  new RunRecords(dir, { keepRuns: 1, keepDays: 30 }, clock)
    .open("r-1", { agent: "a", model: "m" })
    ?.finish(ending);
  const records = new RunRecords(dir, { keepRuns: 1, keepDays: 30 }, clock);
  const second = records.open("r-2", { agent: "a", model: "m" });
  expect(readdirSync(records.dir).sort()).toEqual(["r-1.json", "r-1.ndjson", "r-2.json", "r-2.ndjson"]);
  second?.finish(ending);
  expect(records.list().map((run) => [run.run_id, run.status])).toEqual([["r-2", "ok"]]);
  expect(readdirSync(records.dir).sort()).toEqual(["r-2.json", "r-2.ndjson"]);
});

test("a run's events are written once the current work is done, and at its end", async () => {
  dir = mkdtempSync(join(tmpdir(), "agentry-records-"));
  const records = new RunRecords(dir);
  const exitHooks = process.listenerCount("exit");
  const recorder = records.open("r-queued", { agent: "a", model: "m" });
  recorder?.write(event("r-queued", "run_start"));
  recorder?.write(event("r-queued", "run_start"));
  expect(process.listenerCount("exit")).toBe(exitHooks + 1);
  await new Promise((resolve) => setImmediate(resolve));
  expect(records.events("r-queued")).toHaveLength(2);
  expect(process.listenerCount("exit")).toBe(exitHooks);
  recorder?.write(event("r-queued", "run_start"));
  recorder?.finish(ending);
  expect(records.events("r-queued")).toHaveLength(3);
  expect(process.listenerCount("exit")).toBe(exitHooks);
});

test("events still queued when the process exits are written", async () => {
  dir = mkdtempSync(join(tmpdir(), "agentry-records-"));
  const script = join(dir, "exit-mid-run.ts");
  const module = join(import.meta.dir, "../../src/state/run-records.ts");
  await Bun.write(
    script,
    `import { RunRecords } from ${JSON.stringify(module)};
const records = new RunRecords(${JSON.stringify(dir)});
const recorder = records.open("r-exit", { agent: "a", model: "m" });
recorder.write({ v: 1, type: "run_start", ts: "2026-11-30T00:00:00.000Z", run_id: "r-exit", agent: "a", model: "m", prompt: "p" });
process.exit(3);
`,
  );
  const child = Bun.spawn([process.execPath, script], { stdout: "ignore", stderr: "pipe" });
  expect(await child.exited).toBe(3);
  expect(new RunRecords(dir).events("r-exit").map((e) => e.type)).toEqual(["run_start"]);
});
