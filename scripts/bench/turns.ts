/**
 * Per tool-call turn against a zero-latency mock (1000 tool-call turns, then an answer) and cold
 * start to the first provider request, agentry vs the floor in the same run. Besides wall time,
 * CPU time: of the whole run per turn, and of all the process's threads up to the first request
 * (`/proc/<pid>/task/<tid>/schedstat` read when the mock receives it; Linux only), which a busy
 * machine distorts far less than wall time.
 *   node_modules/.bin/bun scripts/bench/turns.ts [--turns 1000] [--repeats 3] [--cold 15]
 */
import { readdirSync, readFileSync } from "node:fs";
import { benchEnv, benchSetup, buildFloor } from "./fixtures.ts";
import { buildAgentry, machine, median, ms, percentile, saveResult, timedSpawn } from "./support.ts";

const arg = (name: string, fallback: number) =>
  Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const turns = arg("--turns", 1000);
const repeats = arg("--repeats", 3);
const coldRuns = arg("--cold", 15);
const agentry = await buildAgentry();
const floor = await buildFloor();

/** CPU milliseconds all threads of a live process have run so far; NaN where /proc has no schedstat. */
function threadsCpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
    return ns / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * Milliseconds per tool-call turn: (last request − first request) / turns as the mock sees them,
 * so start-up and exit are left out; and the run's CPU time (user + system) per turn.
 */
async function perTurn(program: "agentry" | "floor"): Promise<{ wall: number; cpu: number }> {
  let first = 0;
  let last = 0;
  const setup = await benchSetup(turns, 0, () => {
    last = performance.now();
    first ||= last;
  });
  try {
    const argv =
      program === "agentry"
        ? [agentry, "run", "-c", setup.config, "-q", "a", "go"]
        : [floor, setup.mock.baseUrls.openai, setup.file, "1", "go"];
    const result = await timedSpawn(argv, { env: benchEnv(setup.stateDir) });
    if (result.code !== 0 || setup.mock.requests.length !== turns + 1) {
      throw new Error(
        `${program}: exit ${result.code}, ${setup.mock.requests.length} requests\n${result.stderr}`,
      );
    }
    return { wall: (last - first) / turns, cpu: result.cpuMs / turns };
  } finally {
    await setup.close();
  }
}

type Program = "agentry" | "floor";
const PROGRAMS: Program[] = ["floor", "agentry"];

/**
 * Milliseconds from spawn to the mock receiving the first request (an agent that answers at once),
 * and the CPU the process had used by then, floor and agentry alternating so both see the same
 * machine noise; one warm-up run each.
 */
async function coldStarts(): Promise<Record<Program, { wall: number[]; cpu: number[] }>> {
  let firstRequest = 0;
  let cpuAtFirst = 0;
  let pid = 0;
  const setup = await benchSetup(0, 0, () => {
    if (firstRequest) return;
    firstRequest = performance.now();
    cpuAtFirst = threadsCpuMs(pid);
  });
  try {
    const samples: Record<Program, { wall: number[]; cpu: number[] }> = {
      floor: { wall: [], cpu: [] },
      agentry: { wall: [], cpu: [] },
    };
    for (let i = 0; i <= coldRuns; i++) {
      for (const program of PROGRAMS) {
        firstRequest = 0;
        const argv =
          program === "agentry"
            ? [agentry, "run", "-c", setup.config, "-q", "a", "go"]
            : [floor, setup.mock.baseUrls.openai, setup.file, "1", "go"];
        const started = performance.now();
        const child = Bun.spawn(argv, { env: benchEnv(setup.stateDir), stdout: "pipe", stderr: "pipe" });
        pid = child.pid;
        const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
        if (code !== 0) throw new Error(`${program}: ${stderr}`);
        if (i > 0) {
          samples[program].wall.push(firstRequest - started);
          samples[program].cpu.push(cpuAtFirst);
        }
      }
    }
    return samples;
  } finally {
    await setup.close();
  }
}

const turnSamples: Record<Program, { wall: number; cpu: number }[]> = { floor: [], agentry: [] };
for (let i = 0; i < repeats; i++)
  for (const program of PROGRAMS) turnSamples[program].push(await perTurn(program));
const cold = await coldStarts();
const row = (program: Program) => ({
  perTurnMs: median(turnSamples[program].map((s) => s.wall)),
  perTurnSamples: turnSamples[program].map((s) => s.wall),
  perTurnCpuMs: median(turnSamples[program].map((s) => s.cpu)),
  coldStartMs: median(cold[program].wall),
  coldStartP90Ms: percentile(cold[program].wall, 90),
  coldStartCpuMs: median(cold[program].cpu),
});
const floorRow = row("floor");
const agentryRow = row("agentry");
console.log(
  `${turns} tool-call turns (median of ${repeats}); cold start median of ${coldRuns} — ${machine()}`,
);
console.log(
  "| | per tool-call turn | CPU per turn | cold start to first request (median / p90) | CPU to first request |\n|---|---|---|---|---|",
);
for (const [name, r] of [
  ["floor", floorRow],
  ["agentry", agentryRow],
] as const) {
  console.log(
    `| ${name} | ${ms(r.perTurnMs)} | ${ms(r.perTurnCpuMs)} | ${ms(r.coldStartMs)} / ${ms(r.coldStartP90Ms)} | ${ms(r.coldStartCpuMs)} |`,
  );
}
const ratio = (key: "perTurnMs" | "perTurnCpuMs" | "coldStartMs" | "coldStartCpuMs") =>
  `${(agentryRow[key] / floorRow[key]).toFixed(2)}×`;
console.log(
  `| ratio | ${ratio("perTurnMs")} (target ≤ 1.5×) | ${ratio("perTurnCpuMs")} | ${ratio("coldStartMs")} (issue 13 ≤ 2.5×, SPEC §10 ≤ 1.3×) | ${ratio("coldStartCpuMs")} |`,
);
console.log(`saved ${saveResult("turns", { floor: floorRow, agentry: agentryRow })}`);
