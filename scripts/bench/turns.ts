/**
 * Per tool-call turn against a zero-latency mock (1000 tool-call turns, then an answer) and cold
 * start to the first provider request, agentry vs the floor in the same run.
 *   node_modules/.bin/bun scripts/bench/turns.ts [--turns 1000] [--repeats 3] [--cold 15]
 */
import { benchEnv, benchSetup, buildFloor } from "./fixtures.ts";
import { buildAgentry, machine, median, ms, percentile, saveResult, timedSpawn } from "./support.ts";

const arg = (name: string, fallback: number) =>
  Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const turns = arg("--turns", 1000);
const repeats = arg("--repeats", 3);
const coldRuns = arg("--cold", 15);
const agentry = await buildAgentry();
const floor = await buildFloor();

/**
 * Milliseconds per tool-call turn: (last request − first request) / turns as the mock sees them,
 * so start-up and exit are left out.
 */
async function perTurn(program: "agentry" | "floor"): Promise<number> {
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
    const result = await timedSpawn(argv, { env: benchEnv(setup.stateDir), rss: false });
    if (result.code !== 0 || setup.mock.requests.length !== turns + 1) {
      throw new Error(
        `${program}: exit ${result.code}, ${setup.mock.requests.length} requests\n${result.stderr}`,
      );
    }
    return (last - first) / turns;
  } finally {
    await setup.close();
  }
}

type Program = "agentry" | "floor";
const PROGRAMS: Program[] = ["floor", "agentry"];

/**
 * Milliseconds from spawn to the mock receiving the first request (an agent that answers at once),
 * floor and agentry alternating so both see the same machine noise; one warm-up run each.
 */
async function coldStarts(): Promise<Record<Program, number[]>> {
  let firstRequest = 0;
  const setup = await benchSetup(0, 0, () => {
    firstRequest ||= performance.now();
  });
  try {
    const samples: Record<Program, number[]> = { floor: [], agentry: [] };
    for (let i = 0; i <= coldRuns; i++) {
      for (const program of PROGRAMS) {
        firstRequest = 0;
        const argv =
          program === "agentry"
            ? [agentry, "run", "-c", setup.config, "-q", "a", "go"]
            : [floor, setup.mock.baseUrls.openai, setup.file, "1", "go"];
        const started = performance.now();
        const result = await timedSpawn(argv, { env: benchEnv(setup.stateDir), rss: false });
        if (result.code !== 0) throw new Error(`${program}: ${result.stderr}`);
        if (i > 0) samples[program].push(firstRequest - started);
      }
    }
    return samples;
  } finally {
    await setup.close();
  }
}

const turnSamples: Record<Program, number[]> = { floor: [], agentry: [] };
for (let i = 0; i < repeats; i++)
  for (const program of PROGRAMS) turnSamples[program].push(await perTurn(program));
const cold = await coldStarts();
const row = (program: Program) => ({
  perTurnMs: median(turnSamples[program]),
  perTurnSamples: turnSamples[program],
  coldStartMs: median(cold[program]),
  coldStartP90Ms: percentile(cold[program], 90),
});
const floorRow = row("floor");
const agentryRow = row("agentry");
console.log(
  `${turns} tool-call turns (median of ${repeats}); cold start median of ${coldRuns} — ${machine()}`,
);
console.log("| | per tool-call turn | cold start to first request (median / p90) |\n|---|---|---|");
for (const [name, r] of [
  ["floor", floorRow],
  ["agentry", agentryRow],
] as const) {
  console.log(`| ${name} | ${ms(r.perTurnMs)} | ${ms(r.coldStartMs)} / ${ms(r.coldStartP90Ms)} |`);
}
console.log(
  `| ratio | ${(agentryRow.perTurnMs / floorRow.perTurnMs).toFixed(2)}× (target ≤ 1.5×) | ${(agentryRow.coldStartMs / floorRow.coldStartMs).toFixed(2)}× (target ≤ 1.3×) |`,
);
console.log(`saved ${saveResult("turns", { floor: floorRow, agentry: agentryRow })}`);
