import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseNdjson } from "../support/workspace.ts";
import { jobLines, type QueueWorld, queueTestRedis, queueWorld, storedResult } from "./support.ts";

const redis = queueTestRedis();

/** Adds a job straight to the queue, as a Redis writer other than `agentry submit` can. */
function addRawJob(world: QueueWorld, id: string, spec: Record<string, unknown>): void {
  const added = spawnSync(
    process.execPath,
    [join(import.meta.dir, "add-raw-job.ts"), world.redisUrl, world.queue, id, JSON.stringify(spec)],
    { encoding: "utf8", timeout: 30_000 },
  );
  expect(added.status).toBe(0);
}

describe("job data read from Redis is validated by the worker", () => {
  test("a budget that is not a number cannot lift the worker's configured budget", async () => {
    const world = await queueWorld(redis.url);
    world.ws.write(
      "agentry.toml",
      readFileSync(world.ws.configPath, "utf8").replace(
        'model = "mock/gpt-4.1-mini"',
        'model = "mock/gpt-4.1-mini"\nbudget = { tokens = 1 }',
      ),
    );
    const worker = world.startWorker("a");
    await worker.waitFor("concurrency 4");
    addRawJob(world, "lifted", { id: "lifted", prompt: "hello", budget: { tokens: "lots", usd: {} } });
    const result = await storedResult(world, "lifted");
    expect(result["status"]).toBe("failed");
    expect(result["run_id"]).toBeNull();
    expect(JSON.stringify(result["error"])).toContain("budget");
    expect(world.mock.requests.length).toBe(0);

    const honest = await world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([{ id: "honest", prompt: "hello" }]),
    });
    expect(parseNdjson(honest.stdout)).toEqual([
      expect.objectContaining({ id: "honest", status: "stopped", stop_reason: "budget" }),
    ]);
  }, 60_000);

  test("a job whose vars or prompt are not strings runs nothing", async () => {
    const world = await queueWorld(redis.url);
    const worker = world.startWorker("a");
    await worker.waitFor("concurrency 4");
    addRawJob(world, "odd", { id: "odd", prompt: { text: "hello" }, vars: { x: { y: 1 } } });
    const result = await storedResult(world, "odd");
    expect(result).toMatchObject({ status: "failed", run_id: null });
    expect(world.mock.requests.length).toBe(0);
  }, 60_000);
});

const SECRET = "k3Vq9XbN1sLr7TzY0aPw4HcD8eFgJ2mU";

describe("[queue] state_secret binds a parked run's readable part too", () => {
  test("instructions, budget or agent changed in Redis: the job fails and the approved call never runs", async () => {
    const world = await queueWorld(
      redis.url,
      `state_secret = "\${QUEUE_SECRET}"\n\n[agents.other]\ntools = ["sh"]\nmode = "auto"`,
    );
    world.ws.write(
      "agentry.toml",
      readFileSync(world.ws.configPath, "utf8")
        .replace('model = "mock/gpt-4.1-mini"', 'model = "mock/gpt-4.1-mini"\nbudget = { usd = 0.5 }')
        .replace('mode = "auto"', 'mode = "ask"\n[agents.w.policy]\napproval = { tools = ["sh"] }'),
    );
    const ranFile = join(world.ws.dir, "ran.txt");
    const first = world.startWorker("first", [], { QUEUE_SECRET: SECRET });
    await first.waitFor("--approve defer");
    const parked = await world.cli(["submit", "-", "--wait"], {
      stdin: jobLines([{ id: "bound", prompt: `tool:sh -c 'echo ran >> ${ranFile}'` }]),
    });
    expect(parseNdjson(parked.stdout)).toEqual([
      expect.objectContaining({ id: "bound", status: "awaiting_approval" }),
    ]);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const key = `agentry:${world.queue}:parked`;
    const stored = JSON.parse(
      spawnSync("redis-cli", ["-u", world.redisUrl, "HGET", key, "jbound"], { encoding: "utf8" }).stdout,
    ) as { run: { agent: string; request: Record<string, unknown> } };
    stored.run.agent = "other";
    stored.run.request["instructions"] = "INJECTED-SYSTEM-PROMPT";
    stored.run.request["budget"] = { usd: 1000 };
    const written = spawnSync("redis-cli", [
      "-u",
      world.redisUrl,
      "HSET",
      key,
      "jbound",
      JSON.stringify(stored),
    ]);
    expect(written.status).toBe(0);

    const listed = await world.cli(["approvals", "list", "--queue", world.redisUrl]);
    const approvalId = listed.stdout.split("\t")[0] as string;
    const approved = await world.cli([
      "approvals",
      "approve",
      approvalId,
      "--queue",
      world.redisUrl,
      "--by",
      "alice",
    ]);
    expect(approved.code).toBe(0);
    const before = world.mock.requests.length;
    world.startWorker("second", [], { QUEUE_SECRET: SECRET });
    const result = await storedResult(world, "bound");
    expect(result).toMatchObject({
      status: "failed",
      error: { message: expect.stringContaining("altered") },
    });
    expect(existsSync(ranFile)).toBe(false);
    expect(JSON.stringify(world.mock.requests.slice(before))).not.toContain("INJECTED-SYSTEM-PROMPT");
  }, 90_000);
});
