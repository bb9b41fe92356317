/**
 * Per-call overhead of the full 11-layer governance pipeline around a no-op tool, against calling
 * the tool directly; plus redaction throughput on 1 MB of mixed text.
 *
 *   node_modules/.bin/bun scripts/bench/pipeline-overhead.ts [--iterations 20000] [--runs 7] [--layers]
 *
 * `--layers` also measures each layer alone around the same tool (composed with `composePipeline`,
 * same options as in the full pipeline).
 *
 * Policy: defaults (loop 3, failures 5/20, breaker 5/30s, tool_timeout 10m, enrich 32 KiB) plus a
 * rate limit high enough never to refuse, redaction on (PII + one configured secret), audit to a
 * temp file, a logger sink that discards, mode auto (no approval asked). Every call has distinct
 * arguments so loop detection never refuses. The audit log's queued lines are written inside the
 * timed region (at 64 KiB, and by a `flushSync` closing each run), so its I/O is counted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { openAuditLog } from "../../src/audit/index.ts";
import { approval } from "../../src/middleware/approval/index.ts";
import { auditLayer } from "../../src/middleware/audit/index.ts";
import { circuitBreaker } from "../../src/middleware/circuit-breaker/index.ts";
import { contextEnrichment } from "../../src/middleware/context-enrichment/index.ts";
import { exceptionRecovery } from "../../src/middleware/exception-recovery/index.ts";
import { failureLimits } from "../../src/middleware/failure-limits/index.ts";
import { composePipeline, createPipeline } from "../../src/middleware/index.ts";
import { logger } from "../../src/middleware/logger/index.ts";
import { loopDetection } from "../../src/middleware/loop-detection/index.ts";
import { rateLimit } from "../../src/middleware/rate-limit/index.ts";
import { redaction } from "../../src/middleware/redaction/index.ts";
import { timeout } from "../../src/middleware/timeout/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
import type { Middleware, PipelineCall, PipelineContext } from "../../src/spec/middleware.ts";
import type { Tool, ToolResult } from "../../src/spec/tool.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ITERATIONS = arg("iterations", 20_000);
const RUNS = arg("runs", 7);

const okResult: ToolResult = { ok: true, output: "done" };
const noop: Tool<Record<string, unknown>> = {
  name: "noop",
  description: "does nothing",
  parameters: z.record(z.string(), z.unknown()),
  readOnly: true,
  execute: async () => okResult,
};

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/**
 * Median per-call figures over RUNS runs: wall time, and the process's CPU time (user + system, all
 * threads), which a busy neighbour on a shared machine disturbs much less than wall time. `settle`
 * runs inside the timed region after each run (the audit log's pending lines are written there).
 */
async function measure(
  label: string,
  once: (i: number) => Promise<unknown>,
  settle: () => void = () => {},
): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 2000; i++) await once(i);
  settle();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < ITERATIONS; i++) await once(run * ITERATIONS + i);
    settle();
    wall.push(((performance.now() - started) * 1000) / ITERATIONS);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / ITERATIONS);
  }
  const result = { wall: median(wall), cpu: median(cpu) };
  console.log(
    `${label.padEnd(28)} ${result.wall.toFixed(2).padStart(8)} µs/call wall, ${result.cpu.toFixed(2).padStart(6)} µs/call CPU (median of ${RUNS} runs × ${ITERATIONS})`,
  );
  return result;
}

const dir = mkdtempSync(join(tmpdir(), "agentry-bench-"));
try {
  const audit = openAuditLog(join(dir, "audit.jsonl"));
  const redactor = createRedactor({ secrets: ["bench-secret-value"] });
  const pipeline = createPipeline({
    mode: "auto",
    policy: { rate: { per_minute: 1e9 } },
    audit,
    log: () => {},
    spillRoot: join(dir, "spill"),
  });
  const ctx: PipelineContext = {
    runId: "bench-run",
    agent: "bench",
    signal: new AbortController().signal,
    emit: () => {},
    now: () => performance.now(),
    approver: async () => ({ decision: "approve", scope: "once", by: "bench" }),
    redactor,
  };
  const signal = new AbortController().signal;
  const callFor = (i: number): PipelineCall => ({
    id: `c${i}`,
    tool: noop as Tool,
    name: "noop",
    args: { n: i },
    signal,
  });
  const toolCtx = { signal, runId: "bench-run", agent: "bench", callId: "c" };

  console.log(
    `runtime: ${typeof Bun === "undefined" ? `node ${process.version}` : `bun ${Bun.version}`}; cpu: ${cpus()[0]?.model} × ${cpus().length}`,
  );
  const direct = await measure("direct tool call", (i) => noop.execute({ n: i }, toolCtx));
  const governed = await measure(
    "11-layer pipeline",
    (i) => pipeline(ctx, callFor(i)),
    () => audit.flushSync(),
  );
  await audit.close();
  console.log(
    `overhead: ${(governed.wall - direct.wall).toFixed(2)} µs/call wall, ${(governed.cpu - direct.cpu).toFixed(2)} µs/call CPU; ratio ${(governed.wall / direct.wall).toFixed(1)}×; target < 20 µs; load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")}`,
  );

  if (process.argv.includes("--layers")) {
    const layerLog = openAuditLog(join(dir, "layer-audit.jsonl"));
    const alone: [string, Middleware][] = [
      ["exception-recovery", exceptionRecovery()],
      ["logger", logger({ sink: () => {} })],
      ["audit", auditLayer({ log: layerLog })],
      ["loop-detection", loopDetection({ maxRepeats: 3 })],
      ["failure-limits", failureLimits({ maxConsecutive: 5, maxTotal: 20 })],
      ["approval (auto)", approval({ mode: "auto" })],
      ["redaction", redaction()],
      ["context-enrichment", contextEnrichment({ spillRoot: join(dir, "spill") })],
      ["timeout", timeout({ ms: 600_000 })],
      ["rate-limit", rateLimit({ perMinute: 1e9 })],
      ["circuit-breaker", circuitBreaker({ failures: 5, cooldownMs: 30_000 })],
    ];
    for (const [name, layer] of alone) {
      const one = composePipeline([layer], (c, call) =>
        call.tool.execute(call.args, {
          signal: call.signal,
          runId: c.runId,
          agent: c.agent,
          callId: call.id,
        }),
      );
      await measure(
        `  ${name} alone`,
        (i) => one(ctx, callFor(i)),
        () => layerLog.flushSync(),
      );
    }
    await layerLog.close();
  }

  const chunk =
    "2025-01-01T00:00:00Z INFO request from 203.0.113.7 user=alice@example.com took 12ms status=200 path=/api/v1/items?id=42\n" +
    "DEBUG token: c0ffee4a11d4e5f6a7b8 card 4111 1111 1111 1111 phone +44 20 7946 0958 ok\n" +
    "plain log line with nothing sensitive in it at all, just words and numbers 12345 and 1.2.3\n";
  const text = chunk.repeat(Math.ceil(1_000_000 / chunk.length)).slice(0, 1_000_000);
  const clean = "plain log line with nothing sensitive in it at all, just words and numbers 12345\n"
    .repeat(12_500)
    .slice(0, 1_000_000);
  for (const [label, input] of [
    ["redact 1 MB (dense PII)", text],
    ["redact 1 MB (no PII)", clean],
  ] as const) {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const fresh = createRedactor({ secrets: ["bench-secret-value"] });
      const started = performance.now();
      fresh.redact(input);
      times.push(performance.now() - started);
    }
    const ms = median(times);
    console.log(`${label.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  (${(1000 / ms).toFixed(1)} MB/s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
