/**
 * Wall time and peak RSS of `agentry --version`, `agentry validate` and `agentry --help` on the
 * compiled binary: median and p90 of N samples each, one warm-up first. Each sample is a direct
 * spawn for the wall time and one under GNU time (or VmHWM polling without it) for the peak RSS
 * (`wallAndRss`).
 *   node_modules/.bin/bun scripts/bench/cli-startup.ts [--runs 30]
 */
import { join } from "node:path";
import {
  buildAgentry,
  machine,
  mb,
  median,
  ms,
  percentile,
  ROOT,
  rssSource,
  saveResult,
  wallAndRss,
} from "./support.ts";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 30;
const binary = await buildAgentry();
const cases: [string, string[]][] = [
  ["--version", ["--version"]],
  ["validate (demo)", ["validate", "-c", join(ROOT, "configs/demo.toml")]],
  ["--help", ["--help"]],
];
const rows = [];
for (const [name, args] of cases) {
  await wallAndRss(name, [binary, ...args]);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await wallAndRss(name, [binary, ...args]));
  const walls = samples.map((s) => s.wallMs);
  const rss = samples.map((s) => s.maxRss);
  rows.push({ name, medianMs: median(walls), p90Ms: percentile(walls, 90), medianRss: median(rss) });
}
console.log(`cli start-up, ${runs} runs each, peak RSS from ${rssSource()} — ${machine()}`);
console.log("| command | median wall | p90 wall | median peak RSS |\n|---|---|---|---|");
for (const row of rows)
  console.log(`| ${row.name} | ${ms(row.medianMs)} | ${ms(row.p90Ms)} | ${mb(row.medianRss)} |`);
console.log(`saved ${saveResult("cli-startup", rows)}`);
