import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import type { RunResult } from "../../runtime/run-request.ts";
import { serializeError, UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { ensureHttpSlots } from "../http-slots.ts";
import type { RunOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { exitCodeAfterRefusals, requestFromFlags } from "../run-options.ts";
import { openCliRun } from "../run-session.ts";

const jobSchema = z.strictObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  agent: z.string().optional(),
  prompt: z.string().min(1),
  vars: z.record(z.string(), z.string()).optional(),
});

type Job = z.output<typeof jobSchema>;

/**
 * `agentry batch JOBS.jsonl` (`-` reads the jobs from stdin): many independent runs in one
 * process, `--concurrency` at a time. Results go to stdout as JSONL in completion order, each with
 * the job's `id` and its `run_id` (as in the audit log); progress to stderr. One job's failure never
 * affects another; Ctrl-C stops the rest and reports which jobs finished.
 */
export default async function batchCommand(
  file: string,
  options: RunOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  const jobs = parseJobs(
    file === "-" ? "stdin" : file,
    file === "-" ? await readStdin() : readJobsFile(file),
  );
  const concurrency = Number(options.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency <= 0) {
    throw new UsageError(`--concurrency: expected a positive integer, found "${options.concurrency}"`);
  }
  ensureHttpSlots(concurrency);
  const session = await openCliRun({ ...options, approve: options.approve ?? "deny" }, { events: false });
  const flags = requestFromFlags(options);
  const finished: string[] = [];
  let failed = 0;
  let refused = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !session.signal.aborted) {
      const job = jobs[next++] as Job;
      const line = await runJob(job);
      if (line.status !== "ok") failed += 1;
      refused += line.refused_calls;
      finished.push(job.id);
      writeAnswer(`${JSON.stringify(line)}\n`);
      if (!options.quiet) writeInfo(`[${finished.length}/${jobs.length}] ${line.status} ${job.id}`);
    }
  };
  const runJob = async (job: Job) => {
    try {
      const result: RunResult = await session.runtime.run({
        ...flags,
        ...(job.agent ? { target: job.agent } : {}),
        prompt: job.prompt,
        ...(job.vars ? { vars: { ...flags.vars, ...job.vars } } : {}),
        signal: session.signal,
        ephemeral: true,
      });
      return {
        id: job.id,
        run_id: result.runId,
        status: batchStatus(result.status),
        answer: result.answer,
        stop_reason: result.stopReason,
        usage: result.usage,
        refused_calls: result.refusedCalls,
        ...(result.error ? { error: result.error } : {}),
      };
    } catch (err) {
      return {
        id: job.id,
        run_id: null,
        status: "failed",
        answer: "",
        stop_reason: "error",
        usage: null,
        refused_calls: 0,
        error: serializeError(err),
      };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  } finally {
    await session.close();
  }
  if (session.signal.aborted) {
    writeInfo(
      `interrupted: ${finished.length} of ${jobs.length} jobs finished (${finished.join(", ") || "none"})`,
    );
    return ExitCode.interrupted;
  }
  if (!options.quiet) writeInfo(`${jobs.length - failed} ok, ${failed} not ok`);
  return exitCodeAfterRefusals(failed === 0 ? ExitCode.ok : ExitCode.agentFailed, refused, options);
}

function batchStatus(status: RunResult["status"]): "ok" | "failed" | "stopped" | "awaiting_approval" {
  if (status === "interrupted") return "stopped";
  return status;
}

function readJobsFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read jobs file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError("`agentry batch -` reads jobs from stdin, which is a terminal", {
      hint: "agentry batch - < jobs.jsonl",
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJobs(file: string, text: string): Job[] {
  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}:${index + 1}: not a JSON object`);
    }
    const parsed = jobSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${file}:${index + 1}: ${issue?.path.join(".") || "job"}: ${issue?.message}`, {
        hint: 'each line is {"id": "...", "agent": "...", "prompt": "..."}',
      });
    }
    if (seen.has(parsed.data.id))
      throw new UsageError(`${file}:${index + 1}: duplicate job id "${parsed.data.id}"`);
    seen.add(parsed.data.id);
    jobs.push(parsed.data);
  }
  if (jobs.length === 0) throw new UsageError(`${file} holds no jobs`);
  return jobs;
}
