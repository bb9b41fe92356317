/**
 * Shared pieces of the benchmarks: statistics, timed spawns with peak RSS, result files.
 * Benchmarks run with `node_modules/.bin/bun scripts/bench/<name>.ts`; never part of `npm test`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const RESULTS = join(ROOT, "scripts/bench/results");

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** One finished process: wall milliseconds, peak RSS in bytes, exit code, output. */
export interface Timed {
  wallMs: number;
  maxRss: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns a command, waits for it, and reports wall time and peak RSS (from the kernel's rusage). */
export async function timedSpawn(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<Timed> {
  const started = performance.now();
  const child = Bun.spawn(argv, {
    env: options.env ?? { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" },
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const wallMs = performance.now() - started;
  return { wallMs, maxRss: child.resourceUsage()?.maxRSS ?? 0, code, stdout, stderr };
}

/** Machine facts printed with every result. */
export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}, bun ${Bun.version}`;
}

/** Writes a result file under scripts/bench/results/ (git-ignored). */
export function saveResult(name: string, data: unknown): string {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ machine: machine(), at: new Date().toISOString(), data }, null, 2)}\n`,
  );
  return path;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Builds the compiled agentry binary used by the benchmarks. */
export async function buildAgentry(outfile = join(RESULTS, "agentry")): Promise<string> {
  const result = await timedSpawn([process.execPath, join(ROOT, "scripts/build.ts"), "--outfile", outfile]);
  if (result.code !== 0) throw new Error(`build failed: ${result.stderr}`);
  return outfile;
}
