import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseNdjson } from "../support/workspace.ts";
import { jobLines, type QueueWorld, queueTestRedis, queueWorld, storedResult } from "./support.ts";

const redis = queueTestRedis();

const SECRET = "k3Vq9XbN1sLr7TzY0aPw4HcD8eFgJ2mU";
const OTHER = "Zx8Pq2Lm5Nv7Bc1Ty4Rw6Hs9Jd3Kf0Ga";

/**
 * A queue whose agent needs approval for `sh`, workers sealing parked state under `$QUEUE_SECRET`;
 * job `id` (a call appending to `ran.txt`) is parked by a first worker (secret SECRET), which then
 * stops. Returns the world and the approval id.
 */
async function parkedWorld(id: string): Promise<{ world: QueueWorld; approvalId: string; ranFile: string }> {
  const made = await queueWorld(redis.url, `state_secret = "\${QUEUE_SECRET}"`);
  made.ws.write(
    "agentry.toml",
    readFileSync(made.ws.configPath, "utf8").replace(
      'mode = "auto"',
      'mode = "ask"\n[agents.w.policy]\napproval = { tools = ["sh"] }',
    ),
  );
  const ranFile = join(made.ws.dir, "ran.txt");
  const first = made.startWorker("first", [], { QUEUE_SECRET: SECRET });
  await first.waitFor("--approve defer");
  const parked = await made.cli(["submit", "-", "--wait"], {
    stdin: jobLines([{ id, prompt: `tool:sh -c 'echo ran >> ${ranFile}'` }]),
  });
  expect(parseNdjson(parked.stdout)).toEqual([expect.objectContaining({ id, status: "awaiting_approval" })]);
  first.child.kill("SIGTERM");
  expect(await first.exited).toBe(0);
  const listed = await made.cli(["approvals", "list", "--queue", made.redisUrl], elsewhere(made));
  expect(listed.code).toBe(0);
  return { world: made, approvalId: listed.stdout.split("\t")[0] as string, ranFile };
}

/** A machine without the workers' state or secret. */
function elsewhere(queueWorld: QueueWorld) {
  return { env: { AGENTRY_STATE_DIR: join(queueWorld.ws.dir, "state-laptop") } };
}

async function approve(queueWorld: QueueWorld, approvalId: string): Promise<void> {
  const approved = await queueWorld.cli(
    ["approvals", "approve", approvalId, "--queue", queueWorld.redisUrl, "--by", "alice"],
    elsewhere(queueWorld),
  );
  expect(approved.code).toBe(0);
}

describe("[queue] state_secret: a parked run's raw state is sealed in Redis", () => {
  test("Redis holds it sealed; a worker with the same secret resumes the run and runs the approved call once", async () => {
    const { world: made, approvalId, ranFile } = await parkedWorld("sealed");
    const reply = spawnSync(
      "redis-cli",
      ["-u", made.redisUrl, "HGET", `agentry:${made.queue}:parked`, "jsealed"],
      {
        encoding: "utf8",
      },
    );
    const stored = JSON.parse(reply.stdout) as Record<string, unknown>;
    expect(stored["state"]).toBeUndefined();
    expect(Buffer.from(String(stored["state_sealed"]), "base64").length).toBeGreaterThan(100);
    await approve(made, approvalId);
    const second = made.startWorker("second", [], { QUEUE_SECRET: SECRET });
    await second.waitFor("ok sealed");
    expect(readFileSync(ranFile, "utf8")).toBe("ran\n");
    const shown = JSON.parse((await made.cli(["jobs", "show", "sealed"])).stdout);
    expect(shown.result).toMatchObject({ status: "ok" });
  }, 60_000);

  test("a worker with another secret cannot open it: the job fails saying so, and the call never runs", async () => {
    const { world: made, approvalId, ranFile } = await parkedWorld("foreign");
    await approve(made, approvalId);
    made.startWorker("other", [], { QUEUE_SECRET: OTHER });
    expect(await storedResult(made, "foreign")).toMatchObject({
      status: "failed",
      error: { message: expect.stringContaining("sealed under another [queue] state_secret, or altered") },
    });
    expect(existsSync(ranFile)).toBe(false);
  }, 90_000);
});
