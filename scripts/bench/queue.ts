/**
 * `agentry worker` on a Redis queue against `agentry batch`: N jobs × C tool calls (the file tool,
 * one call per turn) with 1, 2 and 4 workers. Per case: throughput (jobs/s over `submit --wait`'s
 * wall time, enqueueing included), queue latency (enqueued → started, BullMQ's `timestamp` and
 * `processedOn`, p50/p99), end-to-end latency (enqueued → result), each worker's peak RSS and CPU;
 * and `batch` doing the same jobs in one process with the same total concurrency, for the queue's
 * own cost per job (CPU and wall). A redis-server is started on a free port for the run (or
 * `$AGENTRY_TEST_REDIS_URL` is used), as in the tests.
 *   node_modules/.bin/bun scripts/bench/queue.ts [--jobs 2000] [--calls 5] [--workers 1,2,4] [--concurrency 8] [--latency 0]
 */
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createBunRedisClient, Queue } from "bullmq";
import { testRedis } from "../../test/support/redis.ts";
import { benchEnv, benchSetup } from "./fixtures.ts";
import { buildAgentry, machine, mb, median, percentile, saveResult, timedSpawn, vmHwm } from "./support.ts";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const jobCount = Number(arg("--jobs", "2000"));
const calls = Number(arg("--calls", "5"));
const workerCounts = arg("--workers", "1,2,4").split(",").map(Number);
const concurrency = Number(arg("--concurrency", "8"));
const latency = Number(arg("--latency", "0"));

/** CPU time (user + system) of a live process in ms, from /proc. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

const agentry = await buildAgentry();
const redis = await testRedis();
const url = redis.url;

interface Row {
  mode: string;
  workers: number;
  wallMs: number;
  jobsPerSec: number;
  queueP50: number;
  queueP99: number;
  e2eP50: number;
  e2eP99: number;
  rss: number[];
  cpuMs: number;
}

const lines = Array.from({ length: jobCount }, (_, i) => JSON.stringify({ id: `j${i}`, prompt: `job ${i}` }));
const rows: Row[] = [];

async function batchCase(): Promise<Row> {
  const setup = await benchSetup(calls, latency);
  try {
    const jobs = join(setup.dir, "jobs.jsonl");
    writeFileSync(jobs, lines.join("\n"));
    const result = await timedSpawn(
      [agentry, "batch", jobs, "-c", setup.config, "--concurrency", String(concurrency), "-q"],
      { env: benchEnv(setup.stateDir) },
    );
    if (result.code !== 0) throw new Error(`batch failed: ${result.stderr.slice(0, 400)}`);
    return {
      mode: `batch --concurrency ${concurrency}`,
      workers: 1,
      wallMs: result.wallMs,
      jobsPerSec: jobCount / (result.wallMs / 1000),
      queueP50: 0,
      queueP99: 0,
      e2eP50: 0,
      e2eP99: 0,
      rss: [result.maxRss],
      cpuMs: result.cpuMs,
    };
  } finally {
    await setup.close();
  }
}

async function queueCase(workers: number): Promise<Row> {
  const setup = await benchSetup(calls, latency);
  const name = `bench-${workers}-${Date.now()}`;
  appendFileSync(setup.config, `\n[queue]\nurl = "${url}"\nname = "${name}"\n`);
  const jobs = join(setup.dir, "jobs.jsonl");
  writeFileSync(jobs, lines.join("\n"));
  const children = Array.from({ length: workers }, (_, i) =>
    spawn(agentry, ["worker", "-c", setup.config, "--concurrency", String(concurrency), "-q"], {
      env: benchEnv(join(setup.dir, `state-${i}`)),
      stdio: ["ignore", "ignore", "pipe"],
    }),
  );
  try {
    await Bun.sleep(500);
    const started = performance.now();
    const submitted = await timedSpawn([agentry, "submit", jobs, "-c", setup.config, "--wait", "-q"], {
      env: benchEnv(join(setup.dir, "state-submit")),
      rss: false,
    });
    const wallMs = performance.now() - started;
    if (submitted.code !== 0) throw new Error(`submit failed: ${submitted.stderr.slice(0, 400)}`);
    const received = submitted.stdout.trim().split("\n").length;
    if (received !== jobCount || setup.mock.requests.length !== jobCount * (calls + 1))
      throw new Error(`${received} results, ${setup.mock.requests.length} requests`);
    const rss = children.map((child) => vmHwm(child.pid as number));
    const cpuMs = children.reduce((sum, child) => sum + cpuMsOf(child.pid as number), 0);
    const connection = createBunRedisClient(new Bun.RedisClient(url));
    const queue = new Queue(name, { connection });
    await Bun.sleep(300);
    const done = await queue.getJobs(["completed"], 0, -1);
    await queue.close();
    await connection.quit();
    const waits = done.map((job) => (job.processedOn ?? 0) - job.timestamp);
    const ends = done.map((job) => (job.finishedOn ?? 0) - job.timestamp);
    return {
      mode: `${workers} worker(s) × --concurrency ${concurrency}`,
      workers,
      wallMs,
      jobsPerSec: jobCount / (wallMs / 1000),
      queueP50: median(waits),
      queueP99: percentile(waits, 99),
      e2eP50: median(ends),
      e2eP99: percentile(ends, 99),
      rss,
      cpuMs,
    };
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((child) => new Promise((resolve) => child.once("exit", resolve))));
    await setup.close();
  }
}

try {
  rows.push(await batchCase());
  for (const workers of workerCounts) rows.push(await queueCase(workers));
} finally {
  await redis.stop();
}

const batch = rows[0] as Row;
console.log(
  `${machine()}; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(`${jobCount} jobs × ${calls} tool calls, mock latency ${latency} ms\n`);
console.log(
  "| mode | wall | jobs/s | queue latency p50 / p99 | enqueue → result p50 / p99 | worker peak RSS | CPU per job |",
);
console.log("|---|---|---|---|---|---|---|");
for (const row of rows) {
  const latencyCell = row.queueP50 || row.queueP99 ? `${row.queueP50} / ${row.queueP99} ms` : "—";
  const e2eCell = row.e2eP50 || row.e2eP99 ? `${row.e2eP50} / ${row.e2eP99} ms` : "—";
  console.log(
    `| ${row.mode} | ${(row.wallMs / 1000).toFixed(2)} s | ${row.jobsPerSec.toFixed(0)} | ${latencyCell} | ${e2eCell} | ${row.rss.map(mb).join(", ")} | ${(row.cpuMs / jobCount).toFixed(2)} ms |`,
  );
}
const one = rows.find((row) => row.workers === 1 && row.mode.includes("worker"));
if (one) {
  console.log(
    `\nqueue overhead per job against batch (1 worker, same concurrency): CPU +${((one.cpuMs - batch.cpuMs) / jobCount).toFixed(2)} ms, wall +${((one.wallMs - batch.wallMs) / jobCount).toFixed(2)} ms`,
  );
}
console.log(`\nsaved ${saveResult("queue", { jobCount, calls, concurrency, latency, rows })}`);
