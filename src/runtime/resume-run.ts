import { UsageError } from "../spec/errors.ts";
import type { DeferredRun } from "../state/deferred-runs.ts";
import { StateIntegrityError } from "../state/integrity-error.ts";
import { recordedDecisions } from "../state/recorded-decisions.ts";
import { executeRun, type RunPlan } from "./execute-run.ts";
import { agentConfig } from "./resolve-agent.ts";
import type { RunRequest, RunResult } from "./run-request.ts";
import type { RuntimeContext } from "./runtime-context.ts";

/**
 * Continues a deferred run under its lock: checks the file's and every decision's MAC (a forged
 * or altered one is audited as a `policy_stop` and thrown; nothing runs), restores the sealed
 * prompt and conversation, and executes each decided call exactly once (see
 * `recordedDecisions`). A finished run is returned as it ended. The run is read, and its audit
 * chain continued, under its decision lock (`lockDecisions`): a decision another process is
 * recording at that moment (`agentry approvals`, `serve`) has its audit line in the file first,
 * so the run's chain does not fork.
 */
export async function resumeRun(
  rt: RuntimeContext,
  runId: string,
  overrides: Omit<RunRequest, "prompt" | "target">,
): Promise<RunResult & { alreadyFinished: boolean }> {
  const store = rt.deferred;
  const release = store.lock(runId);
  try {
    let read: ResumeRead;
    try {
      const decisions = store.lockDecisions(runId);
      try {
        read = readForResume(rt, runId);
      } finally {
        decisions();
      }
    } catch (err) {
      if (err instanceof StateIntegrityError) await auditRefusal(rt, runId, err);
      throw err;
    }
    if (read.finished) return read.finished;
    const { saved, prompt, plan } = read;
    const request: RunRequest = { ...saved.request, ...overrides, target: saved.agent, prompt };
    const result = await executeRun(rt, request, plan);
    return { ...result, alreadyFinished: false };
  } finally {
    release();
  }
}

/** A deferred run as `resume` reads it: finished (returned as it ended), or the plan to continue it. */
type ResumeRead =
  | { finished: RunResult & { alreadyFinished: true } }
  | { finished?: undefined; saved: DeferredRun; prompt: string; plan: RunPlan };

/**
 * Reads a deferred run to resume it (the caller holds its decision lock): every approval must be
 * decided; continues the run's audit chain from the file; checks every decision's MAC.
 */
function readForResume(rt: RuntimeContext, runId: string): ResumeRead {
  const store = rt.deferred;
  const saved = store.load(runId);
  if (saved.status === "finished" && saved.result) {
    return {
      finished: {
        runId,
        agent: saved.agent,
        status: saved.result.status as RunResult["status"],
        stopReason: saved.result.stop_reason as RunResult["stopReason"],
        answer: saved.result.answer,
        usage: saved.usage,
        turns: saved.turns,
        durationMs: 0,
        refusedCalls: 0,
        exitCode: saved.result.exit_code as RunResult["exitCode"],
        alreadyFinished: true,
      },
    };
  }
  const undecided = saved.pending.filter((item) => !item.decision);
  if (undecided.length > 0) {
    throw new UsageError(
      `run ${runId} still awaits ${undecided.length} decision(s): ${undecided.map((item) => item.approval_id).join(", ")}`,
      { hint: "agentry approvals approve|deny ID, then resume" },
    );
  }
  agentConfig(rt, saved.agent);
  // The saved count covers sub-agents the audit log never saw (audit off, cancelled in a queue).
  const subRuns = Math.max(saved.sub_runs ?? 0, rt.audit?.continueChain(runId) ?? 0);
  const recorded = recordedDecisions(store, saved);
  const sealed = store.unseal(saved);
  return {
    saved,
    prompt: sealed.prompt,
    plan: {
      runId,
      target: saved.agent,
      history: sealed.messages,
      turns: saved.turns,
      resumeCalls: sealed.calls.map(({ id, name, arguments: raw }) => ({ id, name, arguments: raw })),
      usage: saved.usage,
      recorded,
      resumes: saved.resumes + 1,
      subRuns,
      ...(sealed.restore ? { restore: sealed.restore } : {}),
    },
  };
}

async function auditRefusal(rt: RuntimeContext, runId: string, error: StateIntegrityError): Promise<void> {
  rt.audit?.append({
    run_id: runId,
    agent: "",
    type: "policy_stop",
    reason: "state_integrity",
    by: "resume",
    error: error.message,
  });
  await rt.audit?.flush();
}
