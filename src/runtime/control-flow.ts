import type { SerializedError } from "../spec/errors.ts";
import type { RunStatus, StopReason } from "../spec/events.ts";
import { RunStop } from "../spec/run-stop.ts";

/** The outcome of one step or of a whole control node. */
export interface StepResult {
  name: string;
  ok: boolean;
  answer: string;
  status: RunStatus;
  stopReason: StopReason;
  error?: SerializedError;
}

/** A runnable step: an agent, a nested flow, or an ephemeral sub-agent. */
export interface Step {
  name: string;
  run(input: string, signal: AbortSignal): Promise<StepResult>;
}

/** ReAcTree control nodes (SPEC §7). */
export type ControlKind = "sequence" | "fallback" | "parallel";

/**
 * Runs steps as `sequence` (in order, each given the previous result, stop at the first failure),
 * `fallback` (in order until one succeeds) or `parallel` (all at once; the first failure cancels
 * the rest, or with `vote` the majority answer wins).
 */
export function runControl(
  kind: ControlKind,
  name: string,
  steps: Step[],
  input: string,
  signal: AbortSignal,
  options: { vote?: "majority" } = {},
): Promise<StepResult> {
  switch (kind) {
    case "sequence":
      return sequence(name, steps, input, signal);
    case "fallback":
      return fallback(name, steps, input, signal);
    case "parallel":
      return options.vote ? vote(name, steps, input, signal) : parallel(name, steps, input, signal);
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

async function sequence(
  name: string,
  steps: Step[],
  input: string,
  signal: AbortSignal,
): Promise<StepResult> {
  let current = input;
  let last: StepResult | undefined;
  for (const step of steps) {
    last = await step.run(current, signal);
    if (!last.ok)
      return { ...last, name, error: last.error ?? failure(`step "${step.name}" ${last.stopReason}`) };
    current = `${input}\n\nResult of the previous step (${step.name}):\n${last.answer}`;
  }
  return last ? { ...last, name } : empty(name);
}

async function fallback(
  name: string,
  steps: Step[],
  input: string,
  signal: AbortSignal,
): Promise<StepResult> {
  const failed: string[] = [];
  let last: StepResult | undefined;
  for (const step of steps) {
    if (signal.aborted) break;
    last = await step.run(input, signal);
    if (last.ok) return { ...last, name };
    failed.push(`${step.name}: ${last.stopReason}`);
  }
  return {
    ...(last ?? empty(name)),
    name,
    ok: false,
    status: "failed",
    error: failure(`every alternative failed (${failed.join("; ")})`),
  };
}

async function parallel(
  name: string,
  steps: Step[],
  input: string,
  signal: AbortSignal,
): Promise<StepResult> {
  const group = linkedController(signal);
  const results = await Promise.all(
    steps.map(async (step) => {
      const result = await step.run(input, group.signal);
      if (!result.ok && !group.signal.aborted)
        group.abort(new RunStop("cancelled", `sibling step "${step.name}" failed`));
      return result;
    }),
  );
  const firstFailure =
    results.find((result) => !result.ok && result.stopReason !== "cancelled") ?? results.find((r) => !r.ok);
  const answer = results.map((result) => `## ${result.name}\n${result.answer}`).join("\n\n");
  if (firstFailure) {
    return {
      name,
      ok: false,
      answer,
      status: "failed",
      stopReason: firstFailure.stopReason,
      error: failure(
        `step "${firstFailure.name}" failed (${firstFailure.stopReason}); the others were cancelled`,
      ),
    };
  }
  return { name, ok: true, answer, status: "ok", stopReason: "answer" };
}

async function vote(name: string, steps: Step[], input: string, signal: AbortSignal): Promise<StepResult> {
  const results = await Promise.all(steps.map((step) => step.run(input, signal)));
  const tally = new Map<string, { count: number; answer: string }>();
  for (const result of results.filter((r) => r.ok)) {
    const key = result.answer.trim().toLowerCase().replace(/\s+/g, " ");
    const entry = tally.get(key) ?? { count: 0, answer: result.answer.trim() };
    entry.count += 1;
    tally.set(key, entry);
  }
  const winner = [...tally.values()].sort((a, b) => b.count - a.count)[0];
  if (winner && winner.count * 2 > steps.length) {
    return { name, ok: true, answer: winner.answer, status: "ok", stopReason: "answer" };
  }
  const counts = [...tally.values()].map((entry) => entry.count).join("/") || "0";
  return {
    name,
    ok: false,
    answer: results.map((result) => `## ${result.name}\n${result.answer}`).join("\n\n"),
    status: "failed",
    stopReason: "error",
    error: failure(`no majority among ${steps.length} answers (votes ${counts})`),
  };
}

function linkedController(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  return controller;
}

function failure(message: string): SerializedError {
  return { name: "FlowError", message, data: {} };
}

function empty(name: string): StepResult {
  return { name, ok: false, answer: "", status: "failed", stopReason: "error", error: failure("no steps") };
}
