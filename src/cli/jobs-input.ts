import { readFileSync } from "node:fs";
import { type JobSpec, parseJobs } from "../jobs/job-spec.ts";
import { UsageError } from "../spec/errors.ts";

/**
 * Reads JSONL jobs from a file, or from stdin when `file` is `-` (not a terminal); unreadable
 * input is a usage error.
 */
export async function readJobsFile(file: string): Promise<JobSpec[]> {
  if (file === "-") {
    if (process.stdin.isTTY) {
      throw new UsageError("`-` reads jobs from stdin, which is a terminal", {
        hint: "pipe them: … - < jobs.jsonl",
      });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return parseJobs(Buffer.concat(chunks).toString("utf8"), "stdin");
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read jobs file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseJobs(text, file);
}
