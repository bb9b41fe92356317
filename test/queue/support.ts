import { afterAll, afterEach, beforeAll } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type MockFault,
  type MockProvider,
  type MockRequest,
  type MockTurn,
  startMockProvider,
} from "../../src/testing/index.ts";
import { BINARY, type BinaryResult, runBinary } from "../support/binary.ts";
import { type TestRedis, testRedis, uniqueQueueName } from "../support/redis.ts";
import { makeWorkspace, mockProviderToml, parseNdjson, type Workspace } from "../support/workspace.ts";

/** A spawned `agentry worker` with its own state dir (as if on its own machine). */
export interface WorkerProcess {
  child: ChildProcess;
  stateDir: string;
  readonly stderr: string;
  exited: Promise<number | null>;
  /** Resolves once the worker's stderr contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /**
   * Stops the worker with SIGTERM and resolves with its exit code once it has exited: only then
   * is `stderr` everything it printed and its audit log complete. A worker reports a job after
   * storing its result, so `submit --wait` can return before the report reaches the test.
   */
  stop(): Promise<number | null>;
}

/**
 * `[queue]` lock settings for tests of workers that die or freeze: a lost lock is noticed within
 * about three seconds. Other tests keep the defaults (60 s lock, 30 s stalled check), so a worker
 * slowed down by a loaded machine never loses a job to another worker and runs it twice.
 */
export const SHORT_LOCKS = 'lock_duration = "2s"\nstalled_interval = "1s"';

/** A workspace whose config points at a mock provider and a fresh queue on the test Redis. */
export interface QueueWorld {
  ws: Workspace;
  mock: MockProvider;
  queue: string;
  redisUrl: string;
  /** Starts `agentry worker` with its own state dir; `env` adds variables to its environment. */
  startWorker(name: string, args?: string[], env?: Record<string, string>): WorkerProcess;
  cli(
    args: string[],
    options?: { stdin?: string; timeoutMs?: number; env?: Record<string, string> },
  ): Promise<BinaryResult>;
  close(): Promise<void>;
}

/**
 * The mock model of these tests: a prompt `tool:COMMAND` makes one shell call running COMMAND,
 * then answers `done: PROMPT`; any other prompt is answered at once.
 */
export function scriptedTurns(request: { body: unknown }): MockTurn {
  const messages = (request.body as { messages: { role: string; content: string }[] }).messages;
  const prompt = messages.find((m) => m.role === "user")?.content ?? "";
  const last = messages.at(-1);
  if (last?.role === "user" && prompt.startsWith("tool:"))
    return { toolCalls: [{ name: "sh", arguments: { command: prompt.slice("tool:".length) } }] };
  return { text: `done: ${prompt}` };
}

/** Worlds not closed yet; every queue test file closes its worlds after each test. */
const openWorlds = new Set<QueueWorld>();

/**
 * The set-up every queue test file shares: one test Redis for the file (`url` once it started),
 * and every world the file's tests opened closed after each test.
 */
export function queueTestRedis(): { readonly url: string } {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterEach(async () => {
    for (const world of [...openWorlds]) await world.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return {
    get url() {
      if (!redis) throw new Error("the test Redis has not started yet");
      return redis.url;
    },
  };
}

/** Starts the mock and writes the config; `extra` is appended to it; `faults` as the mock's. */
export async function queueWorld(
  redisUrl: string,
  extra = "",
  latencyMs = 0,
  faults?: (request: MockRequest) => MockFault | undefined,
): Promise<QueueWorld> {
  const mock = await startMockProvider({ turns: scriptedTurns, latencyMs, ...(faults ? { faults } : {}) });
  const queue = uniqueQueueName("t");
  const ws = makeWorkspace(`
[defaults]
agent = "w"
model = "mock/gpt-4.1-mini"

${mockProviderToml(mock.baseUrls.openai)}
[tools.sh]
kind = "shell"

[agents.w]
tools = ["sh"]
mode = "auto"

[queue]
url = "\${REDIS_URL}"
name = "${queue}"
${extra}
`);
  const workers: WorkerProcess[] = [];
  const env = (stateDir: string) => ({
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "",
    NO_COLOR: "1",
    REDIS_URL: redisUrl,
    AGENTRY_STATE_DIR: stateDir,
  });
  const world: QueueWorld = {
    ws,
    mock,
    queue,
    redisUrl,
    startWorker(name, args = [], extraEnv = {}) {
      const stateDir = join(ws.dir, `state-${name}`);
      mkdirSync(stateDir, { recursive: true });
      const child = spawn(BINARY, ["worker", "-c", ws.configPath, ...args], {
        cwd: ws.dir,
        env: { ...env(stateDir), ...extraEnv },
      });
      let stderr = "";
      const waiters: { text: string | RegExp; resolve: () => void }[] = [];
      const matches = (text: string | RegExp) =>
        typeof text === "string" ? stderr.includes(text) : text.test(stderr);
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        for (const waiter of [...waiters]) {
          if (matches(waiter.text)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      });
      child.stdout?.resume();
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      const worker: WorkerProcess = {
        child,
        stateDir,
        get stderr() {
          return stderr;
        },
        exited,
        waitFor: (text, timeoutMs = 20_000) =>
          new Promise<void>((resolve, reject) => {
            if (matches(text)) return resolve();
            const timer = setTimeout(
              () => reject(new Error(`worker ${name} never printed ${text}; stderr:\n${stderr}`)),
              timeoutMs,
            );
            waiters.push({
              text,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      };
      workers.push(worker);
      return worker;
    },
    cli: (args, options = {}) =>
      runBinary([...args, "-c", ws.configPath], {
        cwd: ws.dir,
        env: { REDIS_URL: redisUrl, AGENTRY_STATE_DIR: join(ws.dir, "state-cli"), ...options.env },
        ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
        timeoutMs: options.timeoutMs ?? 60_000,
      }),
    async close() {
      openWorlds.delete(world);
      for (const worker of workers) worker.child.kill("SIGKILL");
      await Promise.all(workers.map((worker) => worker.exited));
      await mock.close();
      ws.remove();
    },
  };
  openWorlds.add(world);
  return world;
}

/** JSONL jobs `{id, prompt}`. */
export function jobLines(jobs: { id: string; prompt: string }[]): string {
  return jobs.map((job) => JSON.stringify(job)).join("\n");
}

/** The `run_end` records of a worker's audit log (its state dir's `audit.jsonl`). */
export function auditRunEnds(stateDir: string): Record<string, unknown>[] {
  const path = join(stateDir, "audit.jsonl");
  if (!existsSync(path)) return [];
  return parseNdjson(readFileSync(path, "utf8")).filter((record) => record.type === "run_end");
}

/** Ids of the jobs a worker reported as finished `ok` on stderr. */
export function finishedIds(stderr: string): string[] {
  return [...stderr.matchAll(/^ok (\S+) \(/gm)].map((match) => match[1] as string);
}

/** The result a job gets stored, once it has one (`agentry jobs show`); throws after about 30 s. */
export async function storedResult(world: QueueWorld, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const shown = await world.cli(["jobs", "show", id]);
    const result =
      shown.code === 0 ? (JSON.parse(shown.stdout).result as Record<string, unknown> | null) : null;
    if (result) return result;
    await Bun.sleep(50);
  }
  throw new Error(`job ${id} never got a result`);
}
