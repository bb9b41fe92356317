/**
 * Does `agentry serve` cost `agentry run` anything? Runs two builds interleaved — `--before`
 * (a commit without the server) and `--after` (this one) — on `agentry run` answering from a
 * zero-latency mock and on `agentry --version`: wall (direct spawns), peak RSS and CPU (GNU time).
 *   node_modules/.bin/bun scripts/bench/serve-cold.ts --before PATH [--after dist/agentry] [--runs 40]
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockProvider } from "../../src/testing/index.ts";
import { benchEnv } from "./fixtures.ts";
import { machine, mb, median, ms, percentile, ROOT, timedSpawn } from "./support.ts";

const arg = (name: string, fallback?: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const before = arg("--before");
if (!before) throw new Error("--before PATH (a build without agentry serve) is required");
const builds = { before, after: arg("--after", join(ROOT, "dist/agentry")) as string };
const runs = Number(arg("--runs", "40"));

const mock = await startMockProvider({ turns: () => ({ text: "ok" }) });
const dir = mkdtempSync(join(tmpdir(), "serve-cold-"));
writeFileSync(
  join(dir, "agentry.toml"),
  `[defaults]\nagent = "a"\nmodel = "mock/m"\n[providers.mock]\nkind = "openai-compatible"\nbase_url = "${mock.baseUrls.openai}"\nretries = 0\n[agents.a]\n`,
);
const env = benchEnv(join(dir, "state"));
const cases = { run: ["run", "--ephemeral", "hi"], "--version": ["--version"] };
const samples: Record<string, { wall: number[]; rss: number[]; cpu: number[] }> = {};
for (let i = 0; i <= runs; i++) {
  for (const [build, binary] of Object.entries(builds)) {
    for (const [name, args] of Object.entries(cases)) {
      const key = `${name} ${build}`;
      samples[key] ??= { wall: [], rss: [], cpu: [] };
      const direct = await timedSpawn([binary, ...args], { env, cwd: dir, rss: false });
      const timed = await timedSpawn([binary, ...args], { env, cwd: dir });
      if (direct.code !== 0 || timed.code !== 0) throw new Error(`${key}: ${direct.stderr}${timed.stderr}`);
      if (i === 0) continue;
      samples[key].wall.push(direct.wallMs);
      samples[key].rss.push(timed.maxRss);
      samples[key].cpu.push(timed.cpuMs);
    }
  }
}
await mock.close();
console.log(
  `agentry run / --version, before vs after agentry serve, ${runs} runs each interleaved — ${machine()}`,
);
console.log("| command | build | wall median (p90) | CPU median | peak RSS median |\n|---|---|---|---|---|");
for (const [key, s] of Object.entries(samples)) {
  const [name, build] = key.split(" ");
  console.log(
    `| ${name} | ${build} | ${ms(median(s.wall))} (${ms(percentile(s.wall, 90))}) | ${ms(median(s.cpu))} | ${mb(median(s.rss))} |`,
  );
}
