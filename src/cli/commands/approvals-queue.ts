import { decideQueuedApproval, listQueuedApprovals } from "../../queue/queue-approvals.ts";
import { openRunAudit } from "../../runtime/run-audit.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { currentUser } from "../current-user.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { openCliQueue, type QueueOptions } from "../queue-session.ts";
import { oneLine } from "../render/format.ts";

/** Options of `agentry approvals … --queue URL`. */
export interface QueueApprovalsOptions extends QueueOptions {
  reason?: string;
  by?: string;
}

/**
 * `agentry approvals [list|approve|deny] [ID] --queue URL`: the approvals of jobs parked in the
 * queue, decided from any machine. A decision is recorded once in the queue and in this
 * machine's audit log (the one its runs write, see `openRunAudit`); when a job has no undecided call left, it
 * goes back to the queue and a worker resumes its run.
 */
export async function queueApprovals(
  action: string,
  id: string | undefined,
  options: QueueApprovalsOptions,
): Promise<ExitCodeValue> {
  if (action !== "list" && action !== "approve" && action !== "deny")
    throw new UsageError(`unknown approvals action "${action}"; use list, approve or deny`);
  if (action !== "list" && !id)
    throw new UsageError(`agentry approvals ${action} needs an approval id`, {
      hint: "agentry approvals list --queue URL",
    });
  const { client, loaded } = await openCliQueue(options);
  try {
    if (action === "list") {
      const rows = await listQueuedApprovals(client);
      if (rows.length === 0) writeInfo("no pending approvals in the queue");
      for (const row of rows) {
        const state = row.decision ? `${row.decision.decision}d by ${row.decision.by}` : "pending";
        writeAnswer(
          `${row.approvalId}\t${state}\tjob ${row.jobId}\t${row.agent}\t${row.tool}\t${oneLine(row.arguments)}\n`,
        );
      }
      return ExitCode.ok;
    }
    const by = options.by ?? currentUser();
    const outcome = await decideQueuedApproval(client, id as string, {
      decision: action,
      by,
      at: new Date().toISOString(),
      ...(options.reason ? { reason: options.reason } : {}),
    });
    const audit = openRunAudit(loaded?.config, resolveStateDir(loaded?.config.defaults?.state_dir));
    if (audit) {
      audit.append({
        run_id: outcome.parked.run_id,
        agent: outcome.approval.agent,
        type: "approval",
        approval_id: outcome.approval.approval_id,
        tool: outcome.approval.tool,
        decision: action,
        by,
        via: "queue",
        ...(options.reason ? { reason: options.reason } : {}),
      });
      await audit.close();
    }
    writeAnswer(
      `${action === "approve" ? "approved" : "denied"} ${id} (job ${outcome.parked.line.id}, run ${outcome.parked.run_id})${outcome.requeued ? "; the job is back on the queue and a worker will resume it" : "; the job still awaits other decisions"}\n`,
    );
    return ExitCode.ok;
  } finally {
    await client.close();
  }
}
