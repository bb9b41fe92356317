/**
 * The three measurements, each run against the shared mock: cold start to the first provider
 * request, time per tool-call turn, and wall time + peak RSS of N concurrent agents.
 */
import type { Program } from "./programs.ts";
import { type Bench, type Spawned, spawnTimed } from "./scenario.ts";

/** One program's sample of one measurement, or why it failed. */
export type Sample = { ok: true; value: number; extra?: number } | { ok: false; reason: string };

/** Options shared by every measurement. */
export interface MeasureContext {
  bench: Bench;
  env: Record<string, string>;
  timeoutMs: number;
}

function answersOk(program: Program, agents: number, run: Spawned): boolean {
  if (program.name !== "agentry") return run.stdout.startsWith(`ok ${agents} `);
  if (agents === 1) return run.stdout.trim() !== "";
  const lines = run.stdout.split("\n").filter((l) => l.trim() !== "");
  return (
    lines.length === agents && lines.every((l) => (JSON.parse(l) as { status?: string }).status === "ok")
  );
}

/** Runs `program` once with `agents` agents; fails unless it exited 0 after exactly the expected requests. */
async function runOnce(
  ctx: MeasureContext,
  program: Program,
  agents: number,
  toolCalls: number,
  latencyMs: number,
) {
  ctx.bench.reset(toolCalls, latencyMs);
  const run = await spawnTimed(program.argv(agents), ctx.env, ctx.timeoutMs);
  const expected = agents * (toolCalls + 1);
  const seen = ctx.bench.scenario.requests;
  let reason = "";
  if (run.timedOut) reason = `killed after ${ctx.timeoutMs} ms`;
  else if (run.code !== 0)
    reason = `exit ${run.code}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`;
  else if (seen !== expected) reason = `mock saw ${seen} requests, expected ${expected}`;
  else if (!answersOk(program, agents, run)) reason = `unexpected output: ${run.stdout.slice(0, 200)}`;
  return { run, reason };
}

/** Milliseconds from spawn to the mock receiving the first request (one agent, no tool calls). */
export async function coldStart(ctx: MeasureContext, program: Program): Promise<Sample> {
  const { run, reason } = await runOnce(ctx, program, 1, 0, 0);
  if (reason) return { ok: false, reason };
  return { ok: true, value: ctx.bench.scenario.firstAt - run.startedAt, extra: run.endedAt - run.startedAt };
}

/**
 * Milliseconds per tool-call turn: one agent, `turns` tool calls then an answer, zero latency;
 * (last request − first request) / turns, so start-up and exit are left out. `extra` is the wall time.
 */
export async function perTurn(ctx: MeasureContext, program: Program, turns: number): Promise<Sample> {
  const { run, reason } = await runOnce(ctx, program, 1, turns, 0);
  if (reason) return { ok: false, reason };
  const { firstAt, lastAt } = ctx.bench.scenario;
  return { ok: true, value: (lastAt - firstAt) / turns, extra: run.endedAt - run.startedAt };
}

/** Wall milliseconds (`value`) and peak RSS bytes (`extra`) of `agents` concurrent agents in one process. */
export async function concurrent(
  ctx: MeasureContext,
  program: Program,
  agents: number,
  toolCalls: number,
  latencyMs: number,
): Promise<Sample> {
  const { run, reason } = await runOnce(ctx, program, agents, toolCalls, latencyMs);
  if (reason) return { ok: false, reason };
  return { ok: true, value: run.endedAt - run.startedAt, extra: run.peakRss };
}
