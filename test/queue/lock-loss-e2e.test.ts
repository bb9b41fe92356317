import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseNdjson } from "../support/workspace.ts";
import {
  auditRunEnds,
  finishedIds,
  jobLines,
  type QueueWorld,
  queueTestRedis,
  queueWorld,
  SHORT_LOCKS,
} from "./support.ts";

const redis = queueTestRedis();
let world: QueueWorld | undefined;

/**
 * A job's shell command: the first attempt marks `marks/ID` and sleeps 2 s (the worker is frozen
 * meanwhile, so it finishes none of the jobs it started before it is frozen); a later attempt
 * marks `marks/ID.again` and, when `release` is given, waits for that file first.
 */
function command(marks: string, id: string, release: string | undefined): string {
  const again = release
    ? `touch ${marks}/${id}.again; while [ ! -e ${release} ]; do sleep 0.05; done`
    : "true";
  return `tool:sh -c 'if [ -e ${marks}/${id} ]; then ${again}; else touch ${marks}/${id}; sleep 2; fi'`;
}

describe("a worker that loses its lock on a job (frozen past lock_duration) and wakes up", () => {
  for (const [label, held] of [
    ["after another worker finished the job", false],
    ["while another worker still runs the job", true],
  ] as const) {
    test(`${label}: the job finishes once on the other worker; the woken worker neither stores nor reports it`, async () => {
      world = await queueWorld(redis.url, SHORT_LOCKS);
      const marks = join(world.ws.dir, "marks");
      mkdirSync(marks);
      const release = held ? join(world.ws.dir, "release") : undefined;
      const frozen = world.startWorker("frozen", ["--concurrency", "4"]);
      await frozen.waitFor("concurrency 4");
      const jobs = Array.from({ length: 12 }, (_, i) => ({
        id: `f${i}`,
        prompt: command(marks, `f${i}`, release),
      }));
      const submitted = world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
      while (readdirSync(marks).length < 4) await Bun.sleep(10);
      frozen.child.kill("SIGSTOP");
      const startedOnFrozen = readdirSync(marks);
      const others = ["o1", "o2"].map((name) => world?.startWorker(name, ["--concurrency", "8"]));
      const why = held ? "its lock expired and another worker took the job over" : "stored the result first";
      const wakeUp = async () => {
        frozen.child.kill("SIGCONT");
        for (const id of startedOnFrozen)
          await frozen.waitFor(new RegExp(`job ${id}: attempt 1 discarded \\(.*${why}`), 30_000);
      };
      if (release) {
        while (readdirSync(marks).filter((name) => name.endsWith(".again")).length < 4) await Bun.sleep(10);
        await wakeUp();
        writeFileSync(release, "");
      }
      const result = await submitted;
      if (!release) await wakeUp();

      expect(result.code).toBe(0);
      const lines = parseNdjson(result.stdout);
      expect(lines.map((line) => line.id).sort()).toEqual(jobs.map((job) => job.id).sort());
      for (const line of lines) expect(line).toMatchObject({ status: "ok", stop_reason: "answer" });
      expect(await Promise.all(others.map((worker) => worker?.stop()))).toEqual([0, 0]);
      expect(finishedIds(frozen.stderr)).toEqual([]);
      const reported = others.flatMap((worker) => finishedIds(worker?.stderr ?? ""));
      expect(reported.sort()).toEqual(jobs.map((job) => job.id).sort());
      const frozenRuns = new Set(auditRunEnds(frozen.stateDir).map((record) => record["run_id"]));
      for (const id of startedOnFrozen) {
        const shown = JSON.parse((await world.cli(["jobs", "show", id])).stdout);
        expect(shown.state).toBe("completed");
        expect(shown.attempts.length).toBe(2);
        expect(shown.attempts[0].worker).toContain(String(frozen.child.pid));
        expect(shown.result.worker).not.toContain(String(frozen.child.pid));
        expect(shown.result.run_id).toBe(shown.attempts[1].run_id);
        expect(frozenRuns.has(shown.result.run_id)).toBe(false);
      }

      // The woken worker, alone now, still takes jobs and runs them.
      const after = await world.cli(["submit", "-", "--wait"], {
        stdin: jobLines(Array.from({ length: 6 }, (_, i) => ({ id: `later-${i}`, prompt: `hello ${i}` }))),
      });
      expect(after.code).toBe(0);
      expect(frozen.child.exitCode).toBe(null);
    }, 120_000);
  }
});
