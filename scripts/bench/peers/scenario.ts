/**
 * One mock provider for the whole benchmark, reconfigured between runs: how many tool calls
 * each agent run makes, the latency before every response, and timestamps of the requests of
 * the current run. Plus a bounded, timed spawn that reports peak RSS.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockProvider, type MockRequest, startMockProvider } from "../../../src/testing/index.ts";

/** What the mock does for the current run, and what it saw. */
export interface Scenario {
  toolCalls: number;
  latencyMs: number;
  requests: number;
  firstAt: number;
  lastAt: number;
}

/** The mock and the scenario object it reads on every request. */
export interface Bench {
  mock: MockProvider;
  scenario: Scenario;
  reset(toolCalls: number, latencyMs: number): void;
}

/**
 * The file the k-th tool call of a run reads. Each call names a different file, so agentry's
 * loop detection (identical calls repeated) never stops a run; the driver writes them all.
 */
export function notePath(k: number): string {
  return `note-${k}.txt`;
}

function toolResults(request: MockRequest): number {
  const body = request.body as { messages?: { role?: string }[] } | undefined;
  return (body?.messages ?? []).filter((m) => m.role === "tool").length;
}

/**
 * Starts the mock: a run's request gets a `read` tool call while the conversation holds fewer
 * than `toolCalls` tool results (the k-th reads `notePath(k)`), else a final answer; so each
 * agent makes exactly `toolCalls` tool calls whatever the framework, and many agents can share
 * the mock.
 */
export async function startBench(): Promise<Bench> {
  const scenario: Scenario = { toolCalls: 0, latencyMs: 0, requests: 0, firstAt: 0, lastAt: 0 };
  const mock = await startMockProvider({
    faults: () => {
      const now = performance.now();
      if (scenario.requests === 0) scenario.firstAt = now;
      scenario.lastAt = now;
      scenario.requests++;
      return scenario.latencyMs > 0 ? { latencyMs: scenario.latencyMs } : undefined;
    },
    turns: (request) => {
      const done = toolResults(request);
      return done < scenario.toolCalls
        ? { toolCalls: [{ name: "read", arguments: { op: "read", path: notePath(done) } }] }
        : { text: "The notes say: the quick brown fox." };
    },
  });
  const reset = (toolCalls: number, latencyMs: number) => {
    Object.assign(scenario, { toolCalls, latencyMs, requests: 0, firstAt: 0, lastAt: 0 });
  };
  return { mock, scenario, reset };
}

/** One finished process. Times are `performance.now()` values of this (driver) process. */
export interface Spawned {
  startedAt: number;
  endedAt: number;
  peakRss: number;
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const TIME = "/usr/bin/time";

function vmHwm(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Spawns `argv` with exactly `env`, kills it after `timeoutMs`, and reports its peak RSS in
 * bytes: from GNU time's `%M` when /usr/bin/time exists (one extra exec, about a millisecond),
 * else by polling `/proc/<pid>/status` VmHWM every 20 ms (misses a peak in the last 20 ms).
 * Not Bun's `child.resourceUsage().maxRSS`: Linux carries the forking parent's high-water mark
 * into the child's rusage across exec, so with a large driver (this one bundles four programs
 * in-process) every child reports the driver's ~340 MB. GNU time is a tiny parent, so its
 * `%M` is the program's own peak.
 */
export async function spawnTimed(argv: string[], env: Record<string, string>, timeoutMs: number) {
  const useTime = existsSync(TIME);
  const rssFile = join(tmpdir(), `peers-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const command = useTime ? [TIME, "-f", "%M", "-o", rssFile, ...argv] : argv;
  const startedAt = performance.now();
  const child = Bun.spawn(command, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let polled = 0;
  const poll = useTime ? undefined : setInterval(() => (polled = Math.max(polled, vmHwm(child.pid))), 20);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    const endedAt = performance.now();
    const peakRss = useTime ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) * 1024 : polled;
    return { startedAt, endedAt, peakRss, code, stdout, stderr, timedOut } satisfies Spawned;
  } finally {
    clearTimeout(timer);
    if (poll) clearInterval(poll);
    rmSync(rssFile, { force: true });
  }
}
