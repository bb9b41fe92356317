/**
 * Peak RSS and wall time of `agentry batch` with 50 and 500 concurrent agents, 10 tool calls each,
 * mock latency 200 ms, against the floor doing the same work concurrently in one process.
 *   node_modules/.bin/bun scripts/bench/batch.ts [--sizes 50,500] [--calls 10] [--latency 200]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchEnv, benchSetup, buildFloor } from "./fixtures.ts";
import { buildAgentry, machine, mb, ms, saveResult, timedSpawn } from "./support.ts";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const sizes = arg("--sizes", "50,500").split(",").map(Number);
const calls = Number(arg("--calls", "10"));
const latency = Number(arg("--latency", "200"));
const agentry = await buildAgentry();
const floor = await buildFloor();
const env = (stateDir: string) => benchEnv(stateDir, { BUN_CONFIG_MAX_HTTP_REQUESTS: "1024" });

const rows = [];
for (const size of sizes) {
  for (const program of ["floor", "agentry"] as const) {
    const setup = await benchSetup(calls, latency);
    try {
      const jobs = join(setup.dir, "jobs.jsonl");
      writeFileSync(
        jobs,
        Array.from({ length: size }, (_, i) => JSON.stringify({ id: `j${i}`, prompt: `job ${i}` })).join(
          "\n",
        ),
      );
      const argv =
        program === "agentry"
          ? [agentry, "batch", jobs, "-c", setup.config, "--concurrency", String(size), "-q"]
          : [floor, setup.mock.baseUrls.openai, setup.file, String(size), "job"];
      const result = await timedSpawn(argv, { env: env(setup.stateDir) });
      const expected = size * (calls + 1);
      if (result.code !== 0 || setup.mock.requests.length !== expected) {
        throw new Error(
          `${program} ×${size}: exit ${result.code}, ${setup.mock.requests.length}/${expected} requests\n${result.stderr.slice(0, 500)}`,
        );
      }
      rows.push({ program, size, wallMs: result.wallMs, maxRss: result.maxRss });
    } finally {
      await setup.close();
    }
  }
}
console.log(`batch: ${calls} tool calls per agent, mock latency ${latency} ms — ${machine()}`);
console.log(
  "| agents | floor wall | agentry wall | floor peak RSS | agentry peak RSS | RSS ratio |\n|---|---|---|---|---|---|",
);
for (const size of sizes) {
  const f = rows.find((r) => r.program === "floor" && r.size === size);
  const a = rows.find((r) => r.program === "agentry" && r.size === size);
  if (!f || !a) continue;
  console.log(
    `| ${size} | ${ms(f.wallMs)} | ${ms(a.wallMs)} | ${mb(f.maxRss)} | ${mb(a.maxRss)} | ${(a.maxRss / f.maxRss).toFixed(2)}× |`,
  );
}
console.log(`saved ${saveResult("batch", rows)}`);
