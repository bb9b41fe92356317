import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
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

describe("agentry worker on a Redis queue", () => {
  test("three workers run 300 jobs: every result exactly once and correct", async () => {
    world = await queueWorld(redis.url);
    const workers = ["a", "b", "c"].map((name) => world?.startWorker(name, ["--concurrency", "8"]));
    await Promise.all(workers.map((worker) => worker?.waitFor("concurrency 8")));
    const jobs = Array.from({ length: 300 }, (_, i) => ({ id: `job-${i}`, prompt: `tool:echo ${i}` }));
    const result = await world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
    expect(result.stderr).toContain("submitted 300 job(s)");
    expect(result.code).toBe(0);
    const lines = parseNdjson(result.stdout);
    expect(lines.map((line) => line.id).sort()).toEqual(jobs.map((job) => job.id).sort());
    for (const line of lines) {
      const index = String(line.id).slice("job-".length);
      expect(line).toMatchObject({ status: "ok", answer: `done: tool:echo ${index}`, stop_reason: "answer" });
    }

    const again = await world.cli(["submit", "-", "--wait", "-q"], { stdin: jobLines(jobs.slice(0, 10)) });
    expect(again.code).toBe(0);
    expect(parseNdjson(again.stdout).length).toBe(10);
    expect(await Promise.all(workers.map((worker) => worker?.stop()))).toEqual([0, 0, 0]);
    const ran = workers.flatMap((worker) => finishedIds(worker?.stderr ?? ""));
    expect(ran.sort()).toEqual(jobs.map((job) => job.id).sort());
    expect(workers.every((worker) => finishedIds(worker?.stderr ?? "").length > 0)).toBe(true);
    // One run per job, unless a worker lost its lock on a job (it stalled past lock_duration)
    // while another took the job over: the late attempt's run is then discarded, and its worker
    // says so; it is neither stored nor reported.
    const runEnds = workers.flatMap((worker) => auditRunEnds(worker?.stateDir ?? ""));
    const discarded = workers.flatMap((worker) => [...(worker?.stderr ?? "").matchAll(/ discarded \(/g)]);
    expect(runEnds.length).toBe(300 + discarded.length);
  }, 120_000);

  test("a worker killed with SIGKILL mid-run: its jobs finish on the others, nothing lost or duplicated", async () => {
    world = await queueWorld(redis.url, SHORT_LOCKS);
    const marks = join(world.ws.dir, "marks");
    mkdirSync(marks);
    const victim = world.startWorker("victim", ["--concurrency", "4"]);
    await victim.waitFor("concurrency 4");
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      id: `k${i}`,
      prompt: `tool:sh -c 'touch ${marks}/k${i}.$$; sleep 0.3'`,
    }));
    const submitted = world.cli(["submit", "-", "--wait"], { stdin: jobLines(jobs) });
    while (readdirSync(marks).length < 4) await Bun.sleep(10);
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe(null);
    const startedOnVictim = readdirSync(marks).map((name) => name.split(".")[0] as string);
    const survivors = ["s1", "s2"].map((name) => world?.startWorker(name, ["--concurrency", "8"]));
    const result = await submitted;
    expect(result.code).toBe(0);
    const lines = parseNdjson(result.stdout);
    expect(lines.map((line) => line.id).sort()).toEqual(jobs.map((job) => job.id).sort());
    for (const line of lines) expect(line).toMatchObject({ status: "ok", stop_reason: "answer" });
    expect(await Promise.all(survivors.map((worker) => worker?.stop()))).toEqual([0, 0]);
    expect(finishedIds(victim.stderr)).toEqual([]);
    const reported = survivors.flatMap((worker) => finishedIds(worker?.stderr ?? ""));
    expect(reported.sort()).toEqual(jobs.map((job) => job.id).sort());
    const survivorRuns = new Set(
      survivors.flatMap((worker) => auditRunEnds(worker?.stateDir ?? "").map((record) => record["run_id"])),
    );
    for (const id of startedOnVictim) {
      const shown = JSON.parse((await world.cli(["jobs", "show", id])).stdout);
      expect(shown.state).toBe("completed");
      expect(shown.attempts.length).toBe(2);
      expect(shown.attempts[0].worker).toContain(String(victim.child.pid));
      expect(shown.result.worker).not.toContain(String(victim.child.pid));
      expect(shown.result.run_id).toBe(shown.attempts[1].run_id);
      expect(shown.attempts[0].run_id).toMatch(new RegExp(`^job\\.${id}\\.1\\.[0-9a-f]{6}$`));
      expect(shown.result.run_id).toMatch(new RegExp(`^job\\.${id}\\.2\\.[0-9a-f]{6}$`));
      expect(survivorRuns.has(shown.result.run_id)).toBe(true);
    }
  }, 120_000);

  test("a job whose result an earlier attempt already wrote completes with that result, not a second run", async () => {
    world = await queueWorld(redis.url);
    const earlier = {
      id: "done-before",
      status: "ok",
      answer: "from the attempt that died",
      stop_reason: "answer",
      usage: null,
      run_id: "r-earlier",
      attempt: 1,
      worker: "gone:1",
      finished_at: new Date().toISOString(),
    };
    const stored = spawnSync("redis-cli", [
      "-u",
      world.redisUrl,
      "HSET",
      `agentry:${world.queue}:results`,
      "jdone-before",
      JSON.stringify(earlier),
    ]);
    expect(stored.status).toBe(0);
    const worker = world.startWorker("a");
    await worker.waitFor("concurrency 4");
    const result = await world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([{ id: "done-before", prompt: "never sent" }]),
    });
    expect(parseNdjson(result.stdout)).toEqual([
      {
        id: "done-before",
        run_id: "r-earlier",
        status: "ok",
        answer: "from the attempt that died",
        stop_reason: "answer",
        usage: null,
        refused_calls: 0,
      },
    ]);
    expect(world.mock.requests.length).toBe(0);
    expect(auditRunEnds(worker.stateDir)).toEqual([]);
  }, 60_000);

  test("SIGTERM: the worker lets its job run for --grace, then hands it back; another worker finishes it", async () => {
    world = await queueWorld(redis.url);
    const first = world.startWorker("first", ["--grace", "500ms"]);
    await first.waitFor("concurrency 4");
    const marker = join(world.ws.dir, "started-once");
    const pidFile = join(world.ws.dir, "tool.pid");
    const submitted = world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([
        {
          id: "handed-back",
          prompt: `tool:sh -c 'if [ -e ${marker} ]; then echo second; else touch ${marker}; echo $$ > ${pidFile}; exec sleep 60; fi'`,
        },
      ]),
    });
    let pid = 0;
    for (let i = 0; i < 400 && !pid; i++) {
      if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, "utf8").trim());
      if (!pid) await Bun.sleep(25);
    }
    expect(pid).toBeGreaterThan(0);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.stderr).toContain(
      "SIGTERM: finishing running jobs (up to 500ms), then handing the rest back",
    );
    expect(() => process.kill(pid, 0)).toThrow();
    expect(finishedIds(first.stderr)).toEqual([]);
    const second = world.startWorker("second");
    const result = await submitted;
    expect(parseNdjson(result.stdout)).toEqual([
      expect.objectContaining({
        id: "handed-back",
        status: "ok",
        answer: expect.stringContaining("done: tool:sh"),
      }),
    ]);
    await second.waitFor("ok handed-back");
    const shown = JSON.parse((await world.cli(["jobs", "show", "handed-back"])).stdout);
    expect(shown.attempts.map((attempt: { worker: string }) => attempt.worker)).toEqual([
      expect.stringContaining(String(first.child.pid)),
      expect.stringContaining(String(second.child.pid)),
    ]);
    expect(shown.result.run_id).toBe(shown.attempts[1].run_id);
  }, 60_000);

  test("cancelling a running job stops its run and kills its tool process", async () => {
    world = await queueWorld(redis.url);
    const worker = world.startWorker("a", ["--concurrency", "2"]);
    await worker.waitFor("concurrency 2");
    const pidFile = join(world.ws.dir, "tool.pid");
    const submit = await world.cli(["submit", "-"], {
      stdin: jobLines([{ id: "long", prompt: `tool:sh -c 'echo $$ > ${pidFile}; exec sleep 60'` }]),
    });
    expect(submit.code).toBe(0);
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await Bun.sleep(25);
    let pid = 0;
    for (let i = 0; i < 200 && !pid; i++) {
      pid = Number(readFileSync(pidFile, "utf8").trim());
      if (!pid) await Bun.sleep(25);
    }
    expect(() => process.kill(pid, 0)).not.toThrow();
    const cancel = await world.cli(["jobs", "cancel", "long"]);
    expect(cancel.stderr).toContain("cancelled long (its run was stopped and its tools killed)");
    expect(cancel.code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    const shown = JSON.parse((await world.cli(["jobs", "show", "long"])).stdout);
    expect(shown.state).toBe("cancelled");
    expect(shown.result).toMatchObject({ status: "stopped", stop_reason: "cancelled" });
    const after = await world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([{ id: "next", prompt: "hello" }]),
    });
    expect(parseNdjson(after.stdout)).toEqual([
      expect.objectContaining({ id: "next", status: "ok", answer: "done: hello" }),
    ]);
    const again = await world.cli(["jobs", "cancel", "long"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already finished");
  }, 60_000);

  test("cancelling a waiting job removes it before any worker runs it", async () => {
    world = await queueWorld(redis.url);
    await world.cli(["submit", "-"], { stdin: jobLines([{ id: "idle", prompt: "hello" }]) });
    const cancel = await world.cli(["jobs", "cancel", "idle"]);
    expect(cancel.code).toBe(0);
    const worker = world.startWorker("a");
    await worker.waitFor("concurrency 4");
    const waited = await world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([{ id: "idle", prompt: "hello" }]),
    });
    expect(parseNdjson(waited.stdout)).toEqual([
      expect.objectContaining({ id: "idle", status: "stopped", stop_reason: "cancelled" }),
    ]);
    expect(finishedIds(worker.stderr)).toEqual([]);
  }, 60_000);

  test("an approval decided through the queue from another machine resumes on another worker", async () => {
    world = await queueWorld(redis.url, "");
    const ranFile = join(world.ws.dir, "ran.txt");
    world.ws.write(
      "agentry.toml",
      readFileSync(world.ws.configPath, "utf8").replace(
        'mode = "auto"',
        'mode = "ask"\n[agents.w.policy]\napproval = { tools = ["sh"] }',
      ),
    );
    const first = world.startWorker("first");
    await first.waitFor("--approve defer");
    const parked = await world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([{ id: "needs-ok", prompt: `tool:sh -c 'echo ran >> ${ranFile}'` }]),
    });
    expect(parseNdjson(parked.stdout)).toEqual([
      expect.objectContaining({ id: "needs-ok", status: "awaiting_approval" }),
    ]);
    expect(parked.code).toBe(1);
    expect(JSON.parse((await world.cli(["jobs", "show", "needs-ok"])).stdout).state).toBe(
      "awaiting_approval",
    );
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(existsSync(ranFile)).toBe(false);

    const elsewhere = { env: { AGENTRY_STATE_DIR: join(world.ws.dir, "state-laptop") } };
    const listed = await world.cli(["approvals", "list", "--queue", world.redisUrl], elsewhere);
    expect(listed.code).toBe(0);
    const approvalId = listed.stdout.split("\t")[0] as string;
    expect(listed.stdout).toContain("pending\tjob needs-ok\tw\tsh");
    const second = world.startWorker("second");
    await second.waitFor("--approve defer");
    const approved = await world.cli(
      ["approvals", "approve", approvalId, "--queue", world.redisUrl, "--by", "alice"],
      elsewhere,
    );
    expect(approved.stdout).toContain("the job is back on the queue");
    expect(approved.code).toBe(0);
    await second.waitFor("ok needs-ok");
    const shown = JSON.parse((await world.cli(["jobs", "show", "needs-ok"])).stdout);
    expect(shown.state).toBe("completed");
    expect(shown.result).toMatchObject({
      status: "ok",
      answer: "done: tool:sh -c 'echo ran >> " + ranFile + "'",
    });
    expect(shown.result.worker).toContain(String(second.child.pid));
    expect(readFileSync(ranFile, "utf8")).toBe("ran\n");
    const twice = await world.cli(["approvals", "approve", approvalId, "--queue", world.redisUrl], elsewhere);
    expect(twice.code).toBe(2);
  }, 60_000);
});
