import { describe, expect, test } from "bun:test";
import { parseNdjson } from "../support/workspace.ts";
import { finishedIds, jobLines, type QueueWorld, queueTestRedis, queueWorld } from "./support.ts";

const redis = queueTestRedis();
let world: QueueWorld | undefined;

describe("[queue] keep_finished: retention of finished jobs", () => {
  test("BullMQ keeps the last N finished jobs; a removed job keeps its result and its id still runs nothing", async () => {
    world = await queueWorld(redis.url, "keep_finished = { count = 2 }");
    const worker = world.startWorker("a", ["--concurrency", "1"]);
    await worker.waitFor("concurrency 1");
    const jobs = Array.from({ length: 6 }, (_, i) => ({ id: `keep-${i}`, prompt: `job ${i}` }));
    const first = await world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
    expect(first.code).toBe(0);
    expect(parseNdjson(first.stdout).length).toBe(6);

    const listed = parseNdjson((await world.cli(["jobs", "list", "--json"])).stdout);
    expect(listed.filter((row) => row.state === "completed").length).toBe(2);
    const kept = new Set(listed.map((row) => row.id));
    const removed = jobs.map((job) => job.id).filter((id) => !kept.has(id));
    expect(removed.length).toBe(4);
    const shown = JSON.parse((await world.cli(["jobs", "show", removed[0] as string])).stdout);
    expect(shown.state).toBe("unknown");
    expect(shown.result).toMatchObject({ status: "ok", answer: expect.stringMatching(/^done: job \d$/) });

    const again = await world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("submitted 4 job(s)");
    const lines = parseNdjson(again.stdout);
    expect(lines.map((line) => line.id).sort()).toEqual(jobs.map((job) => job.id).sort());
    for (const line of lines)
      expect(line).toMatchObject({ status: "ok", answer: `done: job ${String(line.id).slice(5)}` });
    expect(world.mock.requests.length).toBe(6);
    expect(await worker.stop()).toBe(0);
    expect(finishedIds(worker.stderr).sort()).toEqual(jobs.map((job) => job.id).sort());
  }, 60_000);
});
