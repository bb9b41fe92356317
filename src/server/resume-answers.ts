import type { ApprovalVerdict } from "../runtime/decide-approval.ts";
import type { DeferredRun, DeferredRunStore } from "../state/deferred-runs.ts";
import type { InterruptBook } from "./interrupt-book.ts";
import { type Refusal, refusal } from "./refusal.ts";
import type { RunInput } from "./run-input.ts";

/** The answers of an AG-UI resume, checked: one run's interrupts, each with its decision. */
export interface ResumeAnswers {
  ok: true;
  agentryRunId: string;
  answers: { interruptId: string; verdict: Omit<ApprovalVerdict, "by"> }[];
}

/**
 * Checks the `resume` entries of an AG-UI run input before any of them is recorded: each names an
 * interrupt of this thread and agent that can still be decided (404 unknown or gone, 410 expired)
 * and carries a decision (400), none is answered twice (400), they answer the interrupts of one
 * run (400), every interrupt of that run not decided yet is answered (409 `undecided`), and none
 * contradicts a decision already recorded (409 `already_decided`). So a refused resume records
 * nothing: a client told 4xx has decided nothing, and may still decide otherwise.
 */
export function checkResumeAnswers(
  entries: RunInput["resume"],
  where: { threadId: string; agent: string },
  interrupts: InterruptBook,
  deferred: DeferredRunStore,
): ResumeAnswers | Refusal {
  const answers: ResumeAnswers["answers"] = [];
  const runs = new Set<string>();
  for (const entry of entries) {
    const record = interrupts.get(entry.interruptId);
    if (!record || record.threadId !== where.threadId || record.agent !== where.agent)
      return refusal(
        404,
        "unknown_interrupt",
        `no interrupt "${entry.interruptId}" on thread "${where.threadId}"`,
      );
    if (answers.some((answer) => answer.interruptId === entry.interruptId))
      return refusal(400, "bad_resume", `resume answers interrupt ${entry.interruptId} more than once`);
    const verdict = verdictOf(entry);
    if (!verdict)
      return refusal(
        400,
        "bad_resume",
        `resume ${entry.interruptId}: payload.decision must be approve or deny`,
      );
    answers.push({ interruptId: entry.interruptId, verdict });
    runs.add(record.agentryRunId);
  }
  if (runs.size !== 1)
    return refusal(400, "bad_resume", "resume entries must answer the interrupts of one run");
  const agentryRunId = [...runs][0] as string;
  let run: DeferredRun | undefined;
  try {
    run = deferred.load(agentryRunId);
  } catch {
    run = undefined;
  }
  for (const { interruptId, verdict } of answers) {
    const record = interrupts.get(interruptId);
    const state = record ? interrupts.stateOf(record, run) : "gone";
    if (state === "gone")
      return refusal(404, "unknown_interrupt", `interrupt "${interruptId}" is no longer pending`);
    if (state === "expired")
      return refusal(410, "expired", `interrupt ${interruptId} expired at ${record?.expiresAt}`);
    const recorded = run?.pending.find((item) => item.approval_id === interruptId)?.decision;
    if (recorded && recorded.decision !== verdict.decision)
      return refusal(
        409,
        "already_decided",
        `interrupt ${interruptId} was already decided: ${recorded.decision}`,
      );
  }
  const unanswered = (run?.pending ?? []).filter(
    (item) => !item.decision && !answers.some((answer) => answer.interruptId === item.approval_id),
  );
  if (unanswered.length > 0)
    return refusal(
      409,
      "undecided",
      `answer every interrupt of the run; unanswered: ${unanswered.map((item) => item.approval_id).join(", ")}`,
    );
  return { ok: true, agentryRunId, answers };
}

function verdictOf(entry: RunInput["resume"][number]): Omit<ApprovalVerdict, "by"> | undefined {
  if (entry.status === "cancelled") return { decision: "deny", reason: "cancelled" };
  const payload: unknown = entry.payload;
  if (payload === null || typeof payload !== "object") return undefined;
  const { decision, reason } = payload as { decision?: unknown; reason?: unknown };
  if (decision !== "approve" && decision !== "deny") return undefined;
  return {
    decision,
    ...(typeof reason === "string" && reason !== "" ? { reason: reason.slice(0, 1000) } : {}),
  };
}
