/**
 * `agentry serve` under load: N concurrent streamed runs (POST /v1/agents/a/runs, each read to
 * its RUN_FINISHED over SSE), every run making `--calls` tool calls against the mock with
 * `--latency` ms per model response — the batch benchmark's workload, served over HTTP instead.
 * Peak RSS is the server's VmHWM from /proc (a high-water mark, so nothing is missed between
 * polls); CPU is utime+stime from /proc/<pid>/stat. Medians of `--repeats` fresh servers.
 *   node_modules/.bin/bun scripts/bench/serve-load.ts [--runs 200] [--calls 10] [--latency 200] [--repeats 3]
 *     [--binary PATH]   (an already built agentry instead of building one)
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { benchEnv, benchSetup } from "./fixtures.ts";
import { buildAgentry, machine, mb, median, saveResult } from "./support.ts";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg("--runs", 200);
const calls = arg("--calls", 10);
const latency = arg("--latency", 200);
const repeats = arg("--repeats", 3);
const TOKEN = "bench-token-0123456789abcdefghijklmnopqrstuvwxyz";
const binaryAt = process.argv.indexOf("--binary");
const agentry = binaryAt > 0 ? resolve(process.argv[binaryAt + 1] as string) : await buildAgentry();

function procStatus(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) * 1024;
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Reads one run's SSE stream to the end; returns its event count, final event type and text. */
async function streamRun(
  url: string,
  index: number,
): Promise<{ events: number; last: string; text: string }> {
  const response = await fetch(`${url}/v1/agents/a/runs`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      threadId: `t${index}`,
      messages: [{ id: "u", role: "user", content: `job ${index}` }],
    }),
  });
  const body = await response.text();
  const events = body
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: string });
  return {
    events: events.length,
    last: events.at(-1)?.type ?? "none",
    text: events.map((event) => (event.type === "TEXT_MESSAGE_CONTENT" ? event.delta : "")).join(""),
  };
}

async function once() {
  const setup = await benchSetup(calls, latency);
  const server = spawn(agentry, ["serve", "--listen", "127.0.0.1:0", "-c", setup.config], {
    cwd: setup.dir,
    env: benchEnv(setup.stateDir, { AGENTRY_SERVER_TOKEN: TOKEN }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = "";
    server.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const match = /listening on (\S+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    server.on("close", () => reject(new Error(stderr)));
  });
  const pid = server.pid as number;
  const idleRss = procStatus(pid, "VmRSS");
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: runs }, (_, i) => streamRun(url, i)));
  const wallMs = performance.now() - started;
  const peakRss = procStatus(pid, "VmHWM");
  const cpu = cpuMs(pid);
  const failed = results.filter((r) => r.last !== "RUN_FINISHED" || r.text !== "finished");
  if (failed.length > 0)
    throw new Error(`${failed.length} runs did not finish: ${JSON.stringify(failed[0])}`);
  const exited = new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) resolve(undefined);
    else server.on("exit", resolve);
  });
  server.kill("SIGTERM");
  await exited;
  await setup.close();
  return { wallMs, peakRss, idleRss, cpuMs: cpu, events: results.reduce((sum, r) => sum + r.events, 0) };
}

const samples = [];
for (let i = 0; i < repeats; i++) {
  const sample = await once();
  console.error(`repeat ${i + 1}: peak RSS ${mb(sample.peakRss)}, wall ${sample.wallMs.toFixed(0)} ms`);
  samples.push(sample);
}
const row = {
  runs,
  calls,
  latency,
  wallMs: median(samples.map((s) => s.wallMs)),
  peakRss: median(samples.map((s) => s.peakRss)),
  rssRange: [Math.min(...samples.map((s) => s.peakRss)), Math.max(...samples.map((s) => s.peakRss))],
  idleRss: median(samples.map((s) => s.idleRss)),
  cpuMs: median(samples.map((s) => s.cpuMs)),
  eventsPerRun: (samples[0]?.events ?? 0) / runs,
};
console.log(
  `agentry serve: ${runs} concurrent streamed runs × ${calls} tool calls, ${latency} ms latency — ${machine()}`,
);
console.log(
  "| runs | wall | server CPU | events per run | idle RSS | peak RSS (min–max) |\n|---|---|---|---|---|---|",
);
console.log(
  `| ${runs} | ${row.wallMs.toFixed(0)} ms | ${(row.cpuMs / 1000).toFixed(2)} s | ${row.eventsPerRun} | ${mb(row.idleRss)} | ${mb(row.peakRss)} (${mb(row.rssRange[0] as number)}–${mb(row.rssRange[1] as number)}) |`,
);
console.log(`saved ${saveResult("serve-load", { row, samples })}`);
