import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureLibraryBuilt, ROOT } from "../library/support.ts";
import { BINARY } from "../support/binary.ts";
import { type TestRedis, testRedis, uniqueQueueName } from "../support/redis.ts";
import { parseNdjson } from "../support/workspace.ts";

let redis: TestRedis;

beforeAll(async () => {
  redis = await testRedis();
  await ensureLibraryBuilt();
}, 120_000);
afterAll(async () => {
  await redis.stop();
});

describe("the queue on Node, through the library (agentry/queue) and BullMQ's standard client ioredis", () => {
  test("examples/queue/node-queue.mjs runs a worker and submits jobs on Node: every result once", () => {
    const queue = uniqueQueueName("node");
    const run = () =>
      spawnSync("node", [join(ROOT, "examples/queue/node-queue.mjs"), "5"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: process.env["HOME"] ?? "",
          NO_COLOR: "1",
          REDIS_URL: redis.url,
          QUEUE_NAME: queue,
        },
      });
    const first = run();
    expect(first.stderr).toContain("submitted 5, already known 0");
    expect(first.status).toBe(0);
    const lines = parseNdjson(first.stdout);
    expect(lines.map((line) => line.id)).toEqual(
      expect.arrayContaining(["node-0", "node-1", "node-2", "node-3", "node-4"]),
    );
    expect(lines.length).toBe(5);
    for (const line of lines)
      expect(line).toMatchObject({
        status: "ok",
        answer: `done: job ${String(line.id).slice("node-".length)}`,
        stop_reason: "answer",
      });
    expect(first.stderr.match(/^ok node-\d$/gm)?.length).toBe(5);

    const again = run();
    expect(again.stderr).toContain("submitted 0, already known 5");
    expect(again.status).toBe(0);
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.id).localeCompare(String(b.id));
    expect(parseNdjson(again.stdout).sort(byId)).toEqual(lines.sort(byId));
    expect(again.stderr).not.toMatch(/^ok node-/m);
  }, 120_000);

  test("the compiled binary embeds no ioredis: it connects with Bun's built-in client", () => {
    const found = spawnSync("grep", ["-c", "-e", "standard-as-callback", "-e", "ioredis/built", BINARY], {
      encoding: "utf8",
    });
    expect(found.stdout.trim()).toBe("0");
  });
});
