import { UsageError } from "../spec/errors.ts";
import type { ParkedJob, QueueDecision } from "./job-store.ts";
import type { QueueClient } from "./queue-client.ts";
import { jobIdOf } from "./queue-settings.ts";

/** One pending approval of a parked job, with its decision once made. */
export interface QueuedApproval {
  approvalId: string;
  jobId: string;
  runId: string;
  agent: string;
  tool: string;
  arguments: string;
  decision?: QueueDecision;
}

/** Every approval of every job parked in the queue. */
export async function listQueuedApprovals(client: QueueClient): Promise<QueuedApproval[]> {
  const rows: QueuedApproval[] = [];
  for (const parked of await client.store.allParked()) {
    const decisions = await client.store.decisions(
      parked.job_id,
      parked.pending.map((item) => item.approval_id),
    );
    for (const item of parked.pending) {
      const decision = decisions.get(item.approval_id);
      rows.push({
        approvalId: item.approval_id,
        jobId: jobIdOf(parked.job_id),
        runId: parked.run_id,
        agent: item.agent,
        tool: item.tool,
        arguments: item.arguments,
        ...(decision ? { decision } : {}),
      });
    }
  }
  return rows;
}

/** What deciding an approval did: the job and run it belongs to, and whether it was requeued. */
export interface QueuedDecisionOutcome {
  parked: ParkedJob;
  approval: ParkedJob["pending"][number];
  /** True when this was the job's last undecided call: the job went back to the queue. */
  requeued: boolean;
}

/**
 * Records a decision on a parked job's approval, once (a second decision on the same approval is
 * a usage error, whoever makes it and from whatever machine). When every pending call of the job
 * is decided, the job is put back on the queue, where a worker resumes the run.
 */
export async function decideQueuedApproval(
  client: QueueClient,
  approvalId: string,
  decision: QueueDecision,
): Promise<QueuedDecisionOutcome> {
  const jobId = await client.store.jobOfApproval(approvalId);
  const parked = jobId ? await client.store.parked(jobId) : undefined;
  const approval = parked?.pending.find((item) => item.approval_id === approvalId);
  if (!parked || !approval) {
    throw new UsageError(`no pending approval "${approvalId}" in queue ${client.target.name}`, {
      hint: `agentry approvals list --queue ${client.target.display}`,
    });
  }
  if (!(await client.store.decide(parked.job_id, approvalId, decision))) {
    const earlier = (await client.store.decisions(parked.job_id, [approvalId])).get(approvalId);
    throw new UsageError(
      `approval ${approvalId} was already decided: ${earlier?.decision ?? "?"} by ${earlier?.by ?? "?"}`,
    );
  }
  const ids = parked.pending.map((item) => item.approval_id);
  const decided = await client.store.decisions(parked.job_id, ids);
  let requeued = false;
  if (decided.size === ids.length) {
    const job = await client.queue.getJob(parked.job_id);
    try {
      await job?.promote();
      requeued = true;
    } catch {
      // Another decider's promotion came first; the job is on its way already.
    }
  }
  return { parked, approval, requeued };
}
