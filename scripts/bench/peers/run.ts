/**
 * agentry against peer agent frameworks, each compiled with bun, all against one in-repo mock
 * provider in one run. See docs/benchmarks/peers.md.
 *   node_modules/.bin/bun scripts/bench/peers/run.ts [--cold 12] [--turns 200] [--turn-reps 3]
 *     [--sizes 50,500] [--tool-calls 10] [--latency 200] [--reps 1] [--timeout 180000]
 * Needs `npm install` in scripts/bench/peers first. Talks only to 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promptOf } from "./job.ts";
import { coldStart, concurrent, type MeasureContext, perTurn, type Sample } from "./measure.ts";
import { agentryFiles, buildAgentry, buildPeers, type Program, ROOT } from "./programs.ts";
import { notePath, startBench } from "./scenario.ts";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
const coldRuns = flag("cold", 12);
const turns = flag("turns", 200);
const turnReps = flag("turn-reps", 3);
const toolCalls = flag("tool-calls", 10);
const latencyMs = flag("latency", 200);
const reps = flag("reps", 1);
const timeoutMs = flag("timeout", 180_000);
const sizesAt = process.argv.indexOf("--sizes");
const sizes = (sizesAt >= 0 ? (process.argv[sizesAt + 1] ?? "") : "50,500").split(",").map(Number);
/** Same for every program: Bun's fetch keeps at most 256 requests in flight unless raised. */
const MAX_HTTP_REQUESTS = "1024";

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const dir = mkdtempSync(join(tmpdir(), "peers-bench-"));
const root = join(dir, "root");
mkdirSync(root);
for (let k = 0; k < Math.max(turns, toolCalls); k++)
  writeFileSync(join(root, notePath(k)), `note ${k}: the quick brown fox\n`);
const bench = await startBench();
try {
  const outDir = join(ROOT, "scripts/bench/results/peers-bin");
  const files = agentryFiles(dir, bench.mock.baseUrls.openai, root, promptOf);
  const agentry = await buildAgentry(outDir, files, promptOf(0));
  const { programs: peers, failures } = await buildPeers(outDir, bench.mock.baseUrls.openai, root);
  const programs: Program[] = [agentry, ...peers];
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: dir,
    NO_COLOR: "1",
    AGENTRY_STATE_DIR: files.stateDir,
    BUN_CONFIG_MAX_HTTP_REQUESTS: MAX_HTTP_REQUESTS,
    OPENAI_AGENTS_DISABLE_TRACING: "1",
    LANGCHAIN_TRACING_V2: "false",
    MASTRA_TELEMETRY_DISABLED: "1",
  };
  const ctx: MeasureContext = { bench, env, timeoutMs };
  const loadBefore = load();
  const results = new Map<string, Map<string, Sample[]>>(programs.map((p) => [p.name, new Map()]));
  const record = (program: Program, key: string, sample: Sample) => {
    const byKey = results.get(program.name)!;
    byKey.set(key, [...(byKey.get(key) ?? []), sample]);
    if (!sample.ok) console.error(`${program.name} ${key}: ${sample.reason}`);
  };

  for (const program of programs) await coldStart(ctx, program);
  for (let i = 0; i < coldRuns; i++)
    for (const program of programs) record(program, "cold", await coldStart(ctx, program));
  for (let i = 0; i < turnReps; i++)
    for (const program of programs) record(program, "turn", await perTurn(ctx, program, turns));
  for (const agents of sizes)
    for (let i = 0; i < reps; i++)
      for (const program of programs)
        record(program, `n${agents}`, await concurrent(ctx, program, agents, toolCalls, latencyMs));
  const loadAfter = load();

  const summary = (name: string, key: string, pick: "value" | "extra"): number | string => {
    const samples = results.get(name)?.get(key) ?? [];
    const failed = samples.find((s) => !s.ok);
    if (failed && !failed.ok) return `failed: ${failed.reason}`;
    return median(samples.map((s) => (s.ok ? (pick === "value" ? s.value : (s.extra ?? 0)) : 0)));
  };
  const columns: [string, string, "value" | "extra", (v: number) => string][] = [
    ["cold start → 1st request", "cold", "value", (v) => `${v.toFixed(0)} ms`],
    ["per tool-call turn", "turn", "value", (v) => `${v.toFixed(2)} ms`],
    ...sizes.flatMap((n): [string, string, "value" | "extra", (v: number) => string][] => [
      [`${n} agents wall`, `n${n}`, "value", (v) => `${(v / 1000).toFixed(2)} s`],
      [`${n} agents peak RSS`, `n${n}`, "extra", (v) => `${(v / 1048576).toFixed(0)} MB`],
    ]),
  ];
  const cell = (name: string, [, key, pick, format]: (typeof columns)[number]): string => {
    const value = summary(name, key, pick);
    if (typeof value === "string") return value;
    const base = summary("agentry", key, pick);
    const ratio =
      name !== "agentry" && typeof base === "number" && base > 0 ? ` (×${(value / base).toFixed(2)})` : "";
    return format(value) + ratio;
  };
  const lines = [
    `peers vs agentry — ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, bun ${Bun.version}, load ${loadBefore} → ${loadAfter}`,
    `cold: median of ${coldRuns}; turn: ${turns} tool calls, median of ${turnReps}; concurrency: ${toolCalls} tool calls each, ${latencyMs} ms mock latency, median of ${reps}; BUN_CONFIG_MAX_HTTP_REQUESTS=${MAX_HTTP_REQUESTS} for all`,
    "",
    `| program | ${columns.map((c) => c[0]).join(" | ")} |`,
    `|---|${columns.map(() => "---").join("|")}|`,
    ...programs.map((p) => `| ${p.name} | ${columns.map((c) => cell(p.name, c)).join(" | ")} |`),
    "",
    "ratios in parentheses are peer / agentry (above 1: the peer is slower or larger)",
    ...programs.map(
      (p) =>
        `${p.name}: ${Object.entries(p.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
    ),
    ...failures.map((f) => `${f.name}: build failed: ${f.reason}`),
  ];
  console.log(lines.join("\n"));
  const saved = join(ROOT, "scripts/bench/results/peers.json");
  const raw = Object.fromEntries([...results].map(([name, byKey]) => [name, Object.fromEntries(byKey)]));
  writeFileSync(
    saved,
    JSON.stringify({ at: new Date().toISOString(), loadBefore, loadAfter, raw, failures }, null, 2),
  );
  console.log(`saved ${saved}`);
} finally {
  await bench.mock.close();
  rmSync(dir, { recursive: true, force: true });
}
