/**
 * What MCP costs `agentry run` at start-up: cold start to the first provider request and peak RSS
 * of a run whose config has no `[mcp.*]` (against a baseline binary built from the commit before
 * MCP landed) and of a run whose agent lists one stdio server (the in-repo mock MCP server, which
 * is started, negotiated with and listed before the first model request). Runs alternate so every
 * case sees the same machine noise; one warm-up round.
 *   node_modules/.bin/bun scripts/bench/mcp-startup.ts --baseline PATH [--runs 20]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchEnv, benchSetup } from "./fixtures.ts";
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

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const runs = Number(arg("--runs")) || 20;
const baseline = arg("--baseline");
if (!baseline) throw new Error("--baseline PATH: a binary built from the commit before MCP");
const agentry = await buildAgentry();

let firstRequest = 0;
const setup = await benchSetup(0, 0, () => {
  firstRequest ||= performance.now();
});
const mcpConfig = join(setup.dir, "agentry-mcp.toml");
const server = join(ROOT, "test/support/mock-mcp-server.ts");
writeFileSync(
  mcpConfig,
  `${(await Bun.file(setup.config).text()).replace('tools = ["read"]', 'tools = ["read", "mcp:srv"]')}
[mcp.srv]
command = ${JSON.stringify(process.execPath)}
args = [${JSON.stringify(server)}]
env = ["PATH"]
`,
);

const cases: [string, string, string][] = [
  ["baseline (before MCP), no [mcp.*]", baseline, setup.config],
  ["agentry, no [mcp.*]", agentry, setup.config],
  ["agentry, one stdio MCP server", agentry, mcpConfig],
];
const cold: number[][] = cases.map(() => []);
const rss: number[][] = cases.map(() => []);
try {
  for (let round = 0; round <= runs; round++) {
    for (const [index, [name, binary, config]] of cases.entries()) {
      const argv = [binary, "run", "-c", config, "-q", "a", "go"];
      firstRequest = 0;
      const started = performance.now();
      const { maxRss } = await wallAndRss(name, argv, { env: benchEnv(setup.stateDir) });
      if (round > 0) {
        cold[index]?.push(firstRequest - started);
        rss[index]?.push(maxRss);
      }
    }
  }
} finally {
  await setup.close();
}
const rows = cases.map(([name], i) => ({
  name,
  coldMs: median(cold[i] ?? []),
  coldP90Ms: percentile(cold[i] ?? [], 90),
  rss: median(rss[i] ?? []),
}));
console.log(`MCP start-up cost, ${runs} runs per case, peak RSS from ${rssSource()} — ${machine()}`);
console.log(
  "| case | cold start to first request (median / p90) | median peak RSS | vs baseline |\n|---|---|---|---|",
);
const base = rows[0];
for (const row of rows) {
  const ratio = base
    ? `${((row.coldMs / base.coldMs - 1) * 100).toFixed(1)} % / ${((row.rss / base.rss - 1) * 100).toFixed(1)} %`
    : "";
  console.log(`| ${row.name} | ${ms(row.coldMs)} / ${ms(row.coldP90Ms)} | ${mb(row.rss)} | ${ratio} |`);
}
console.log(`saved ${saveResult("mcp-startup", rows)}`);
