import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { MockFault, MockRequest } from "../../src/testing/index.ts";
import { parseNdjson } from "../support/workspace.ts";
import {
  finishedIds,
  jobLines,
  type QueueWorld,
  queueTestRedis,
  queueWorld,
  type WorkerProcess,
} from "./support.ts";

const redis = queueTestRedis();
let world: QueueWorld | undefined;

const PAUSE_NOTICE = /provider rate limit \(job first\): every worker of the queue pauses for 3s/;

/** Arrival times (test clock) of every model request; the first one is answered 429, Retry-After 3 s. */
function limitedProvider(): { arrivals: number[]; faults: (request: MockRequest) => MockFault | undefined } {
  const arrivals: number[] = [];
  return {
    arrivals,
    faults: (request) => {
      arrivals.push(performance.now());
      return request.index === 0 ? { status: 429, headers: { "retry-after": "3" } } : undefined;
    },
  };
}

describe("provider rate limits are shared by every worker of the queue", () => {
  for (const [label, retries] of [
    ["the run fails on it (retries = 0) and the job goes back", 0],
    ["the run retries after it (retries = 2)", 2],
  ] as const) {
    test(`a 429 with Retry-After seen by one worker pauses all three; ${label}; every job completes once`, async () => {
      const provider = limitedProvider();
      world = await queueWorld(redis.url, "", 0, provider.faults);
      const config = readFileSync(world.ws.configPath, "utf8");
      world.ws.write("agentry.toml", config.replace("retries = 0", `retries = ${retries}`));
      const workers = ["a", "b", "c"].map((name) =>
        (world as QueueWorld).startWorker(name, ["--concurrency", "2"]),
      );
      await Promise.all(workers.map((worker) => worker.waitFor("concurrency 2")));

      const first = await world.cli(["submit", "-"], { stdin: jobLines([{ id: "first", prompt: "hello" }]) });
      expect(first.code).toBe(0);
      await Promise.any(workers.map((worker) => worker.waitFor(PAUSE_NOTICE)));
      const limitedAt = provider.arrivals[0] as number;
      const jobs = [
        { id: "first", prompt: "hello" },
        ...Array.from({ length: 12 }, (_, i) => ({ id: `after-${i}`, prompt: `job ${i}` })),
      ];
      const result = await world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
      expect(result.code).toBe(0);
      const lines = parseNdjson(result.stdout);
      expect(lines.map((line) => line.id).sort()).toEqual(jobs.map((job) => job.id).sort());
      for (const line of lines) expect(line).toMatchObject({ status: "ok", stop_reason: "answer" });

      // The pause began after the 429 left the mock, so no request may arrive before it ends.
      const during = provider.arrivals.slice(1).filter((at) => at < limitedAt + 3_000);
      expect(during).toEqual([]);
      expect(world.mock.requests.length).toBe(jobs.length + 1);
      expect(await Promise.all(workers.map((worker) => worker.stop()))).toEqual([0, 0, 0]);
      const reported = workers.flatMap((worker: WorkerProcess) => finishedIds(worker.stderr));
      expect(reported.sort()).toEqual(jobs.map((job) => job.id).sort());
      const shown = JSON.parse((await world.cli(["jobs", "show", "first"])).stdout);
      expect(shown.result).toMatchObject({ status: "ok", answer: "done: hello" });
      expect(shown.attempts.length).toBe(retries === 0 ? 2 : 1);
    }, 90_000);
  }

  test("[queue] limiter caps how many jobs start per period across all workers", async () => {
    const arrivals: number[] = [];
    world = await queueWorld(redis.url, 'limiter = { max = 3, duration = "1s" }', 0, () => {
      arrivals.push(performance.now());
      return undefined;
    });
    const workers = ["a", "b", "c"].map((name) =>
      (world as QueueWorld).startWorker(name, ["--concurrency", "4"]),
    );
    await Promise.all(workers.map((worker) => worker.waitFor("concurrency 4")));
    const jobs = Array.from({ length: 9 }, (_, i) => ({ id: `l${i}`, prompt: `job ${i}` }));
    const submittedAt = performance.now();
    const result = await world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
    expect(result.code).toBe(0);
    expect(parseNdjson(result.stdout).length).toBe(9);
    // Three jobs per one-second window: the seventh to ninth start in the third window at the
    // earliest, two seconds after the first job started (which was after the submission).
    expect(arrivals.length).toBe(9);
    expect(Math.max(...arrivals) - submittedAt).toBeGreaterThanOrEqual(2_000);
  }, 60_000);
});
