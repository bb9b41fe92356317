import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** A Redis server for tests: CI's (`$AGENTRY_TEST_REDIS_URL`), or one started for this file. */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * `.ci/run` starts a real redis-server and exports its URL as `AGENTRY_TEST_REDIS_URL`; without
 * it, a `redis-server` on PATH is started on a free port (and stopped by `stop`). Throws (so the
 * test fails rather than skips) when neither exists: the queue tests need a real Redis.
 */
export async function testRedis(): Promise<TestRedis> {
  const given = process.env["AGENTRY_TEST_REDIS_URL"];
  if (given) return { url: given, stop: async () => undefined };
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    throw new Error(
      "these tests need Redis: install redis-server (apt-get install redis-server) or set AGENTRY_TEST_REDIS_URL",
    );
  }
  const port = await freePort();
  const server: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      spawnSync("redis-cli", ["-p", String(port), "ping"])
        .stdout?.toString()
        .trim() === "PONG"
    )
      break;
    await Bun.sleep(50);
  }
  return {
    url,
    stop: async () => {
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
    },
  };
}

/** A queue name no other test uses. */
export function uniqueQueueName(label: string): string {
  return `${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
