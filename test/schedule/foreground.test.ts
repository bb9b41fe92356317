import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScheduleConfig } from "../../src/config/schema.ts";
import type { RunRequest, RunResult } from "../../src/runtime/run-request.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { FileFireStateStore } from "../../src/schedule/fire-state.ts";
import { runForeground, runOnce, type ScheduleHost } from "../../src/schedule/foreground.ts";
import type { ScheduleLine } from "../../src/schedule/schedule-run.ts";
import { UsageError } from "../../src/spec/errors.ts";
import { ExitCode } from "../../src/spec/exit-codes.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import { FakeClock, settle } from "./fake-clock.ts";

const T0 = Date.parse("2025-03-10T12:00:00.000Z");
const MINUTE = 60_000;

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentry-schedule-"));
  dirs.push(dir);
  return dir;
}

/** A runtime whose runs are answered by `answer`; records every request. */
function fakeRuntime(answer: (request: RunRequest) => Promise<Partial<RunResult>>) {
  const requests: RunRequest[] = [];
  let counter = 0;
  const runtime = {
    run: async (request: RunRequest): Promise<RunResult> => {
      requests.push(request);
      const id = `run-${++counter}`;
      const partial = await answer(request);
      return {
        runId: id,
        agent: request.target ?? "",
        status: "ok",
        stopReason: "answer",
        answer: `answer to ${request.prompt}`,
        usage: { input_tokens: 1, output_tokens: 1, cost_usd: 0 },
        turns: 1,
        durationMs: 1,
        refusedCalls: 0,
        exitCode: ExitCode.ok,
        ...partial,
      };
    },
  } as unknown as Runtime;
  return { runtime, requests };
}

function host(
  runtime: Runtime,
  schedules: Record<string, ScheduleConfig>,
  clock: FakeClock,
  controller = new AbortController(),
) {
  const lines: ScheduleLine[] = [];
  const progress: string[] = [];
  const warnings: string[] = [];
  const value: ScheduleHost = {
    runtime,
    schedules,
    approve: "deny",
    signal: controller.signal,
    clock,
    writeLine: (line) => lines.push(JSON.parse(JSON.stringify(line))),
    progress: (text) => progress.push(text),
    warn: (text) => warnings.push(text),
  };
  return { host: value, lines, progress, warnings, controller };
}

const SCHEDULES: Record<string, ScheduleConfig> = {
  minutely: { cron: "* * * * *", agent: "ops", prompt: "check", timezone: "UTC", vars: { env: "prod" } },
};

describe("runForeground", () => {
  test("runs each fire through runtime.run and prints one JSON line per run", async () => {
    const clock = new FakeClock(T0);
    const { runtime, requests } = fakeRuntime(async () => ({}));
    const h = host(runtime, SCHEDULES, clock);
    const state = new FileFireStateStore(tempDir());
    const exit = runForeground(h.host, state);
    await settle();
    await clock.advanceTo(T0 + 2 * MINUTE);
    expect(requests.map((r) => [r.target, r.prompt, r.vars, r.approve])).toEqual([
      ["ops", "check", { env: "prod" }, "deny"],
      ["ops", "check", { env: "prod" }, "deny"],
    ]);
    expect(h.lines).toEqual([
      {
        schedule: "minutely",
        fired_at: "2025-03-10T12:01:00.000Z",
        trigger: "cron",
        run_id: "run-1",
        status: "ok",
        stop_reason: "answer",
        answer: "answer to check",
      },
      expect.objectContaining({ run_id: "run-2", fired_at: "2025-03-10T12:02:00.000Z" }),
    ]);
    expect(h.progress[0]).toBe("minutely: next run 2025-03-10 12:01:00 UTC");
    h.controller.abort(new RunStop("interrupted"));
    expect(await exit).toBe(ExitCode.interrupted);
  });

  test("an interrupt aborts the running run, which still reports its line, and exits 130", async () => {
    const clock = new FakeClock(T0);
    const { runtime, requests } = fakeRuntime(
      (request) =>
        new Promise((resolve) => {
          request.signal?.addEventListener("abort", () =>
            resolve({ status: "interrupted", stopReason: "interrupted", exitCode: ExitCode.interrupted }),
          );
        }),
    );
    const h = host(runtime, SCHEDULES, clock);
    const exit = runForeground(h.host, new FileFireStateStore(tempDir()));
    await clock.advanceTo(T0 + MINUTE);
    expect(requests).toHaveLength(1);
    expect(h.lines).toHaveLength(0);
    h.controller.abort(new RunStop("interrupted"));
    expect(await exit).toBe(ExitCode.interrupted);
    expect(requests[0]?.signal?.reason).toBeInstanceOf(RunStop);
    expect(h.lines).toEqual([expect.objectContaining({ status: "interrupted", stop_reason: "interrupted" })]);
  });

  test("remembers fire times in the state dir, so a restart catches up with run_once", async () => {
    const stateDir = tempDir();
    const { runtime, requests } = fakeRuntime(async () => ({}));
    const first = host(
      runtime,
      { daily: { ...SCHEDULES["minutely"]!, cron: "0 3 * * *", missed: "run_once" } },
      new FakeClock(T0),
    );
    const exit = runForeground(first.host, new FileFireStateStore(stateDir));
    await settle();
    first.controller.abort(new RunStop("interrupted"));
    await exit;
    const saved = JSON.parse(readFileSync(join(stateDir, "schedules.json"), "utf8"));
    expect(saved).toEqual({
      version: 1,
      schedules: { daily: { checked_until: "2025-03-10T12:00:00.000Z" } },
    });
    expect(requests).toHaveLength(0);

    const later = new FakeClock(T0 + 2 * 86_400_000);
    const second = host(runtime, first.host.schedules, later);
    const exit2 = runForeground(second.host, new FileFireStateStore(stateDir));
    await settle();
    expect(second.lines).toEqual([expect.objectContaining({ schedule: "daily", trigger: "missed" })]);
    expect(second.warnings).toEqual([
      "daily: warning: missed run(s) since 2025-03-10 12:00:00 UTC (first due 2025-03-11 03:00:00 UTC): running once now (missed = run_once)",
    ]);
    second.controller.abort(new RunStop("interrupted"));
    await exit2;
  });

  test("an unreadable state file is reported and ignored", () => {
    const stateDir = tempDir();
    writeFileSync(join(stateDir, "schedules.json"), "{ not json");
    const warnings: string[] = [];
    const store = new FileFireStateStore(stateDir, (message) => warnings.push(message));
    expect(store.get("daily")).toBeUndefined();
    expect(warnings[0]).toContain("starting fresh");
    writeFileSync(join(stateDir, "schedules.json"), JSON.stringify({ version: 2 }));
    new FileFireStateStore(stateDir, (message) => warnings.push(message));
    expect(warnings[1]).toContain("is not a schedule state file");
  });
});

describe("runOnce", () => {
  const two: Record<string, ScheduleConfig> = {
    a: { cron: "0 3 * * *", agent: "ops", prompt: "first" },
    b: { cron: "0 4 * * *", agent: "ops", prompt: "second" },
  };

  test("fires every schedule once, concurrently, and exits 0 when all are ok", async () => {
    const { runtime, requests } = fakeRuntime(async () => ({}));
    const h = host(runtime, two, new FakeClock(T0));
    expect(await runOnce(h.host)).toBe(ExitCode.ok);
    expect(requests.map((r) => r.prompt).sort()).toEqual(["first", "second"]);
    expect(h.lines.map((l) => [l.schedule, l.trigger, l.fired_at]).sort()).toEqual([
      ["a", "once", "2025-03-10T12:00:00.000Z"],
      ["b", "once", "2025-03-10T12:00:00.000Z"],
    ]);
  });

  test("returns the exit code of the first schedule that did not end ok", async () => {
    const { runtime } = fakeRuntime(async (request) =>
      request.prompt === "second"
        ? { status: "stopped", stopReason: "budget", exitCode: ExitCode.policy }
        : {},
    );
    const h = host(runtime, two, new FakeClock(T0));
    expect(await runOnce(h.host)).toBe(ExitCode.policy);
  });

  test("a run that cannot start becomes a failed line with the error", async () => {
    const { runtime } = fakeRuntime(async () => {
      throw new UsageError('agent "ops" lists unknown tool "x"');
    });
    const h = host(runtime, { a: two["a"]! }, new FakeClock(T0));
    expect(await runOnce(h.host)).toBe(ExitCode.usage);
    expect(h.lines[0]).toMatchObject({
      run_id: null,
      status: "failed",
      stop_reason: "error",
      error: { name: "UsageError", message: 'agent "ops" lists unknown tool "x"' },
    });
  });
});
