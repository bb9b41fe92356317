/**
 * Shared pieces of the benchmarks: statistics, timed spawns with peak RSS, result files.
 * Benchmarks run with `node_modules/.bin/bun scripts/bench/<name>.ts`; never part of `npm test`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
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

/** One finished process: wall milliseconds, peak RSS in bytes, CPU (user + system) ms, exit code, output. */
export interface Timed {
  wallMs: number;
  maxRss: number;
  cpuMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = "/usr/bin/time";
let spawnCount = 0;

/** Peak RSS (VmHWM) of a live process, in bytes; 0 once it is gone. */
export function vmHwm(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Where peak RSS comes from: GNU time when installed (`BENCH_RSS=proc` forces the fallback). */
export const rssSource = (): "gnu-time" | "proc-vmhwm" =>
  existsSync(GNU_TIME) && process.env["BENCH_RSS"] !== "proc" ? "gnu-time" : "proc-vmhwm";

/**
 * Spawns a command, waits for it, and reports wall time, peak RSS and CPU time. Peak RSS is GNU
 * time's `%M` (`/usr/bin/time -f '%M %U %S'`, one extra exec of about a millisecond inside the
 * wall time) or, where GNU time is absent (CI has only Node and npm), the highest
 * `/proc/<pid>/status` VmHWM read every 2 ms (it can miss growth in the last 2 ms). Never Bun's
 * `resourceUsage().maxRSS`: Bun spawns with vfork semantics, and Linux folds the parent's RSS
 * high-water mark into the child's rusage at exec, so every child would report at least this
 * benchmark process's own peak. `rss: false` spawns directly, for the purest wall times.
 */
export async function timedSpawn(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string; rss?: boolean } = {},
): Promise<Timed> {
  const source = options.rss === false ? "none" : rssSource();
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}-${spawnCount++}`);
  const command = source === "gnu-time" ? [GNU_TIME, "-f", "%M %U %S", "-o", rssFile, "--", ...argv] : argv;
  const started = performance.now();
  const child = Bun.spawn(command, {
    env: options.env ?? { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" },
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  let polled = 0;
  const poll =
    source === "proc-vmhwm" ? setInterval(() => (polled = Math.max(polled, vmHwm(child.pid))), 2) : undefined;
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    const wallMs = performance.now() - started;
    const usage = child.resourceUsage();
    let cpuMs = usage ? Number(usage.cpuTime.total) / 1000 : 0;
    let maxRss = polled;
    if (source === "gnu-time") {
      const [rssKb, user, system] = (readFileSync(rssFile, "utf8").trim().split("\n").at(-1) ?? "")
        .split(" ")
        .map(Number);
      maxRss = (rssKb ?? 0) * 1024;
      cpuMs = ((user ?? 0) + (system ?? 0)) * 1000;
    }
    return { wallMs, maxRss, cpuMs, code, stdout, stderr };
  } finally {
    if (poll) clearInterval(poll);
    rmSync(rssFile, { force: true });
  }
}

/**
 * One sample of a command: a direct spawn for its wall time, then one under `timedSpawn`'s RSS
 * source for its peak RSS. Throws, naming `name` with the exit code and stderr, when either fails.
 */
export async function wallAndRss(
  name: string,
  argv: string[],
  options: { env?: Record<string, string> } = {},
): Promise<{ wallMs: number; maxRss: number }> {
  const timed = await timedSpawn(argv, { ...options, rss: false });
  if (timed.code !== 0) throw new Error(`${name}: exit ${timed.code}\n${timed.stderr}`);
  const measured = await timedSpawn(argv, options);
  if (measured.code !== 0) throw new Error(`${name}: exit ${measured.code}\n${measured.stderr}`);
  return { wallMs: timed.wallMs, maxRss: measured.maxRss };
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
