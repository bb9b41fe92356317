/**
 * Peak RSS and wall time of `agentry batch` with 50 and 500 concurrent agents, 10 tool calls each,
 * mock latency 200 ms, against the floor doing the same work concurrently in one process. Each
 * case runs with Bun's default fetch limit and with `BUN_CONFIG_MAX_HTTP_REQUESTS=1024` set in
 * the environment, plus two ways the floor can set it itself: assigning it in-process before the
 * first fetch, and replacing itself with `process.execve` with the variable set.
 * Figures are medians of `--repeats` runs (peak RSS under GC varies from run to run).
 *   node_modules/.bin/bun scripts/bench/batch.ts [--sizes 50,500] [--calls 10] [--latency 200] [--repeats 3]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchEnv, benchSetup, buildFloor } from "./fixtures.ts";
import { buildAgentry, machine, mb, median, ms, rssSource, saveResult, timedSpawn } from "./support.ts";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const sizes = arg("--sizes", "50,500").split(",").map(Number);
const calls = Number(arg("--calls", "10"));
const latency = Number(arg("--latency", "200"));
const repeats = Number(arg("--repeats", "3"));
const agentry = await buildAgentry();
const floor = await buildFloor();

type Program = "floor" | "agentry";
/** How Bun's in-flight request limit is set for a case. */
type Limit = "default" | "env 1024" | "in-process 1024" | "re-exec 1024";
const LIMIT_ENV: Record<Limit, Record<string, string>> = {
  default: {},
  "env 1024": { BUN_CONFIG_MAX_HTTP_REQUESTS: "1024" },
  "in-process 1024": { FLOOR_SET_MAX_HTTP_REQUESTS: "1024" },
  "re-exec 1024": { FLOOR_REEXEC_MAX_HTTP_REQUESTS: "1024" },
};

interface Row {
  program: Program;
  limit: Limit;
  size: number;
  wallMs: number;
  maxRss: number;
  cpuMs: number;
  rssRange: [number, number];
  inFlight: number;
}

/** Most requests that arrived within any `windowMs`: with a latency of `windowMs`, the requests in flight. */
function peakInFlight(arrivals: number[], windowMs: number): number {
  let peak = 0;
  let from = 0;
  for (let to = 0; to < arrivals.length; to++) {
    while ((arrivals[to] as number) - (arrivals[from] as number) >= windowMs) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

async function once(program: Program, limit: Limit, size: number) {
  const arrivals: number[] = [];
  const setup = await benchSetup(calls, latency, () => arrivals.push(performance.now()));
  try {
    const jobs = join(setup.dir, "jobs.jsonl");
    const lines = Array.from({ length: size }, (_, i) => JSON.stringify({ id: `j${i}`, prompt: `job ${i}` }));
    writeFileSync(jobs, lines.join("\n"));
    const argv =
      program === "agentry"
        ? [agentry, "batch", jobs, "-c", setup.config, "--concurrency", String(size), "-q"]
        : [floor, setup.mock.baseUrls.openai, setup.file, String(size), "job"];
    const result = await timedSpawn(argv, { env: benchEnv(setup.stateDir, LIMIT_ENV[limit]) });
    const expected = size * (calls + 1);
    if (result.code !== 0 || setup.mock.requests.length !== expected) {
      throw new Error(
        `${program} ×${size}: exit ${result.code}, ${setup.mock.requests.length}/${expected} requests\n${result.stderr.slice(0, 500)}`,
      );
    }
    return { ...result, inFlight: peakInFlight(arrivals, latency) };
  } finally {
    await setup.close();
  }
}

const cases: [Program, Limit][] = [
  ["floor", "default"],
  ["agentry", "default"],
  ["floor", "env 1024"],
  ["agentry", "env 1024"],
  ["floor", "in-process 1024"],
  ["floor", "re-exec 1024"],
];
const rows: Row[] = [];
for (const size of sizes) {
  for (const [program, limit] of cases) {
    if ((limit === "in-process 1024" || limit === "re-exec 1024") && size <= 256) continue;
    const samples = [];
    for (let i = 0; i < repeats; i++) samples.push(await once(program, limit, size));
    const rss = samples.map((s) => s.maxRss);
    rows.push({
      program,
      limit,
      size,
      wallMs: median(samples.map((s) => s.wallMs)),
      maxRss: median(rss),
      cpuMs: median(samples.map((s) => s.cpuMs)),
      rssRange: [Math.min(...rss), Math.max(...rss)],
      inFlight: Math.max(...samples.map((s) => s.inFlight)),
    });
  }
}

console.log(
  `batch: ${calls} tool calls per agent, mock latency ${latency} ms, median of ${repeats}, peak RSS from ${rssSource()} — ${machine()}`,
);
console.log(
  "| agents | program | fetch limit | wall | CPU | peak in flight | peak RSS (min–max) | RSS vs floor |\n|---|---|---|---|---|---|---|---|",
);
for (const row of rows) {
  const base = rows.find((r) => r.program === "floor" && r.size === row.size && r.limit === row.limit);
  const ratio = base && row.program !== "floor" ? `${(row.maxRss / base.maxRss).toFixed(2)}×` : "";
  console.log(
    `| ${row.size} | ${row.program} | ${row.limit} | ${ms(row.wallMs)} | ${ms(row.cpuMs)} | ${row.inFlight} | ${mb(row.maxRss)} (${mb(row.rssRange[0])}–${mb(row.rssRange[1])}) | ${ratio} |`,
  );
}
console.log(`saved ${saveResult("batch", rows)}`);
