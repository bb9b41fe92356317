import { z } from "zod";
import { UsageError } from "../spec/errors.ts";

/**
 * One job of `agentry batch` and `agentry submit`, one JSON object per line:
 * `{"id": "...", "agent": "...", "prompt": "...", "vars": {...}, "budget": {...}}`. `agent` names an
 * agent or a flow (`flow` is accepted as its synonym); without either, `[defaults].agent` runs.
 */
export const jobSpecSchema = z
  .strictObject({
    id: z.union([z.string().min(1).max(256), z.number()]).transform(String),
    agent: z.string().min(1).optional(),
    flow: z.string().min(1).optional(),
    prompt: z.string().min(1),
    vars: z.record(z.string(), z.string()).optional(),
    budget: z
      .strictObject({ usd: z.number().positive().optional(), tokens: z.number().int().positive().optional() })
      .optional(),
  })
  .refine((job) => job.agent === undefined || job.flow === undefined, {
    message: "give either agent or flow, not both",
    path: ["flow"],
  })
  .transform(({ flow, ...job }) => (flow === undefined ? job : { ...job, agent: flow }));

/** A validated job: `agent` holds the agent or flow to run. */
export type JobSpec = z.output<typeof jobSpecSchema>;

/**
 * Parses JSONL jobs; `source` names the file in messages. Blank lines are skipped; a bad line or a
 * duplicate id is a usage error naming its line; no job at all is one too.
 */
export function parseJobs(text: string, source: string): JobSpec[] {
  const jobs: JobSpec[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new UsageError(`${source}:${index + 1}: not a JSON object`);
    }
    const parsed = jobSpecSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${source}:${index + 1}: ${issue?.path.join(".") || "job"}: ${issue?.message}`, {
        hint: 'each line is {"id": "...", "agent": "...", "prompt": "..."}',
      });
    }
    if (seen.has(parsed.data.id))
      throw new UsageError(`${source}:${index + 1}: duplicate job id "${parsed.data.id}"`);
    seen.add(parsed.data.id);
    jobs.push(parsed.data);
  }
  if (jobs.length === 0) throw new UsageError(`${source} holds no jobs`);
  return jobs;
}
