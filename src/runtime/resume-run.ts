import { UsageError } from "../spec/errors.ts";
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
 * `recordedDecisions`). A finished run is returned as it ended.
 */
export async function resumeRun(
  rt: RuntimeContext,
  runId: string,
  overrides: Omit<RunRequest, "prompt" | "target">,
): Promise<RunResult & { alreadyFinished: boolean }> {
  const store = rt.deferred;
  const release = store.lock(runId);
  try {
    let plan: RunPlan;
    let prompt: string;
    let saved: ReturnType<typeof store.load>;
    try {
      saved = store.load(runId);
      if (saved.status === "finished" && saved.result) {
        return {
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
      prompt = sealed.prompt;
      plan = {
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
      };
    } catch (err) {
      if (err instanceof StateIntegrityError) await auditRefusal(rt, runId, err);
      throw err;
    }
    const request: RunRequest = { ...saved.request, ...overrides, target: saved.agent, prompt };
    const result = await executeRun(rt, request, plan);
    return { ...result, alreadyFinished: false };
  } finally {
    release();
  }
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
