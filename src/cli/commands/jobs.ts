import type { Command } from "commander";
import { cancelJob } from "../../queue/cancel-job.ts";
import { UnknownJobError } from "../../queue/errors.ts";
import { shownState } from "../../queue/job-state.ts";
import type { QueueClient } from "../../queue/queue-client.ts";
import { bullJobId, jobIdOf } from "../../queue/queue-settings.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { currentUser } from "../current-user.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { openCliQueue, type QueueOptions } from "../queue-session.ts";

interface JobsOptions extends QueueOptions {
  json?: boolean;
  limit?: string;
  by?: string;
}

const LISTED_STATES = ["active", "waiting", "prioritized", "delayed", "failed", "completed"] as const;

/**
 * `agentry jobs list|show ID|cancel ID --queue URL`: the queue's jobs with their state, attempts
 * and result; `cancel` stops a job wherever it is (a running one's tool processes are killed).
 */
export default async function jobsCommand(
  action: string,
  id: string | undefined,
  options: JobsOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  if (action !== "list" && id === undefined)
    throw new UsageError(`agentry jobs ${action} needs a job id`, { hint: "agentry jobs list --queue URL" });
  if (!["list", "show", "cancel"].includes(action))
    throw new UsageError(`unknown jobs action "${action}"; use list, show or cancel`);
  const { client } = await openCliQueue(options);
  try {
    if (action === "list") return await list(client, options);
    if (action === "show") return await show(client, id as string);
    return await cancel(client, id as string, options.by ?? currentUser());
  } finally {
    await client.close();
  }
}

async function list(client: QueueClient, options: JobsOptions): Promise<ExitCodeValue> {
  const limit = Number(options.limit ?? 100);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError(`--limit: expected a positive integer, found "${options.limit}"`);
  let count = 0;
  for (const state of LISTED_STATES) {
    for (const job of await client.queue.getJobs([state], 0, limit - 1)) {
      if (!job?.id) continue;
      const shown = await shownState(client.store, job.id, job);
      const result = await client.store.result(job.id);
      const row = {
        id: job.data.spec.id,
        state: shown,
        attempts: job.attemptsStarted,
        ...(result ? { status: result.status, stop_reason: result.stop_reason } : {}),
      };
      count += 1;
      writeAnswer(
        options.json
          ? `${JSON.stringify(row)}\n`
          : `${row.id}\t${row.state}\t${row.attempts}\t${result ? `${result.status} (${result.stop_reason})` : "-"}\n`,
      );
    }
  }
  if (count === 0 && !options.quiet) writeInfo(`no jobs in queue ${client.target.name}`);
  return ExitCode.ok;
}

async function show(client: QueueClient, id: string): Promise<ExitCodeValue> {
  const jobId = bullJobId(id);
  const job = await client.queue.getJob(jobId);
  const result = await client.store.result(jobId);
  if (!job && !result)
    throw new UnknownJobError(`no job "${id}" in queue ${client.target.name}`, { job: id });
  const parked = await client.store.parked(jobId);
  const cancelled = await client.store.cancelled(jobId);
  const shown = {
    id: job?.data.spec.id ?? jobIdOf(jobId),
    state: await shownState(client.store, jobId, job),
    ...(job ? { agent: job.data.spec.agent, prompt: job.data.spec.prompt } : {}),
    attempts_started: job?.attemptsStarted ?? 0,
    attempts: await client.store.attempts(jobId),
    ...(job?.progress && typeof job.progress === "object" ? { progress: job.progress } : {}),
    ...(job?.failedReason ? { failed_reason: job.failedReason } : {}),
    ...(parked
      ? {
          pending_approvals: parked.pending.map((item) => ({
            approval_id: item.approval_id,
            tool: item.tool,
            arguments: item.arguments,
          })),
        }
      : {}),
    ...(cancelled ? { cancelled } : {}),
    result: result ?? null,
  };
  writeAnswer(`${JSON.stringify(shown, null, 2)}\n`);
  return ExitCode.ok;
}

async function cancel(client: QueueClient, id: string, by: string): Promise<ExitCodeValue> {
  const outcome = await cancelJob(client, id, by);
  switch (outcome.kind) {
    case "cancelled":
      writeInfo(`cancelled ${id}${outcome.wasRunning ? " (its run was stopped and its tools killed)" : ""}`);
      return ExitCode.ok;
    case "finished":
      writeInfo(`job ${id} already finished (${outcome.state}); nothing to cancel`);
      return ExitCode.usage;
    case "still_running":
      writeInfo(`job ${id} was told to stop but still runs; check with: agentry jobs show ${id}`);
      return ExitCode.agentFailed;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
