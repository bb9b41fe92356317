/**
 * Overhead of the sandbox per shell call (issue 19): the median wall time of `true` run by a shell
 * tool without a sandbox and with `sandbox = "workspace-write"` (bubblewrap), calls alternating so
 * that load drifts hit both alike. The tool is agentry's own (`createShellTool`, per-call cgroup or
 * /proc tracking included), called directly, without a model or the governance pipeline.
 *
 *   node_modules/.bin/bun scripts/bench/sandbox-overhead.ts [--calls 100] [--mode workspace-write|read-only]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { ShellToolConfig } from "../../src/config/schema.ts";
import type { ToolContext } from "../../src/spec/tool.ts";
import { createShellTool } from "../../src/tools/shell/index.ts";
import { median, percentile } from "./support.ts";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] as string);
};
const CALLS = Number(arg("calls", "100"));
const MODE = arg("mode", "workspace-write") as "workspace-write" | "read-only";

const cwd = mkdtempSync(join(tmpdir(), "bench-sandbox-"));
const base: ShellToolConfig = { kind: "shell", env: ["PATH"], cwd };
const plain = createShellTool("plain", base);
const sandboxed = createShellTool("boxed", { ...base, sandbox: MODE });
const context = (): ToolContext => ({
  signal: new AbortController().signal,
  runId: "bench",
  agent: "bench",
  callId: "c",
});

async function timed(tool: typeof plain): Promise<number> {
  const started = performance.now();
  const result = await tool.execute({ command: "true" }, context());
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(`${tool.name}: ${result.error}`);
  return ms;
}

await timed(plain);
await timed(sandboxed);
const without: number[] = [];
const withSandbox: number[] = [];
for (let i = 0; i < CALLS; i++) {
  without.push(await timed(plain));
  withSandbox.push(await timed(sandboxed));
}
rmSync(cwd, { recursive: true, force: true });

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const row = (name: string, values: number[]) =>
  `| ${name} | ${fmt(median(values))} | ${fmt(percentile(values, 10))} | ${fmt(percentile(values, 90))} |`;
const extra = median(withSandbox) - median(without);
console.log(`sandbox overhead: ${CALLS} calls of \`true\` each, alternating; mode ${MODE}`);
console.log(
  `host: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, load ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}`,
);
console.log("| shell tool | median | p10 | p90 |\n|---|---|---|---|");
console.log(row("no sandbox", without));
console.log(row(`sandbox = "${MODE}" (bwrap)`, withSandbox));
console.log(
  `overhead per call (median): ${fmt(extra)} (${(median(withSandbox) / median(without)).toFixed(2)}×)`,
);
