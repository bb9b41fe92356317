/**
 * How long continuing a run's audit chain takes on a large log: what `decideApproval` (an
 * approval recorded by `agentry serve` or `agentry approvals`) and `resume` pay, synchronously,
 * per call of `continueChain`.
 *
 *   node_modules/.bin/bun scripts/bench/audit-chain-tip.ts [--mb 100] [--runs 5]
 *
 * Writes a log of about `--mb` MB (tool_call records of 400 interleaved runs, ~500 bytes each),
 * with one run (`recent`) started 1 MB before the end and one (`first`) at the very start, then
 * times `continueChain` for each: `recent` is the usual case (a deferred run decided soon after),
 * `first` the worst (the whole file is read either way). Reports the median wall and CPU time.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../src/audit/index.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

const targetBytes = arg("mb", 100) * 1024 * 1024;
const runs = arg("runs", 5);
const dir = mkdtempSync(join(tmpdir(), "agentry-bench-audit-"));
const path = join(dir, "audit.jsonl");

try {
  const log = openAuditLog(path);
  const start = (run: string) => log.append({ type: "run_start", run_id: run, agent: "ops", model: "m" });
  const call = (run: string, i: number) =>
    log.append({
      type: "tool_call",
      run_id: run,
      agent: "ops",
      call_id: `c${i}`,
      tool: "sh",
      args: { command: `kubectl get pods -n team-${i % 50} -o wide --selector app=service-${i % 300}` },
      decision: "executed",
      ok: true,
      duration_ms: i % 900,
      output_bytes: 1000 + (i % 5000),
    } as never);
  start("first");
  call("first", 0);
  let written = 0;
  let i = 0;
  let recentStarted = false;
  while (written < targetBytes) {
    const run = `r${i % 400}`;
    if (i < 400) start(run);
    call(run, i);
    if (!recentStarted && written >= targetBytes - 1024 * 1024) {
      start("recent");
      recentStarted = true;
    }
    if (recentStarted && i % 40 === 0) call("recent", i);
    i += 1;
    if (i % 1000 === 0) {
      await log.flush();
      written = statSync(path).size;
    }
  }
  await log.close();
  console.log(`log: ${(statSync(path).size / 1024 / 1024).toFixed(1)} MB, ${i} records`);
  for (const run of ["recent", "first"]) {
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < runs; r++) {
      const reader = openAuditLog(path);
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      reader.continueChain(run);
      walls.push(performance.now() - t0);
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1000);
      await reader.close();
    }
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    console.log(
      `continueChain(${run}): median ${median(walls).toFixed(2)} ms wall, ${median(cpus).toFixed(2)} ms CPU (${runs} runs)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
