import { z } from "zod";
import type { JobResultLine } from "../jobs/job-result.ts";
import type { RedisCommands } from "./connection.ts";

/** A finished job as stored once in the queue: its result line and which attempt wrote it. */
export interface JobRecord extends JobResultLine {
  attempt: number;
  worker: string;
  finished_at: string;
}

/** One start of a job on a worker; every attempt of a job is kept, in order. */
export interface AttemptRecord {
  attempt: number;
  worker: string;
  started_at: string;
  run_id?: string;
  /** Set when the attempt continued a run parked for approval. */
  resumed?: boolean;
}

/** A job whose run awaits approval: the deferred run's state, as the worker saved it. */
export interface ParkedJob {
  job_id: string;
  parked_at: string;
  worker: string;
  run_id: string;
  /**
   * The deferred run's readable (redacted) part, and the raw state a resume needs (prompt,
   * conversation, exact calls), which the worker that resumes seals again under its own state key.
   * Both are validated by the run store when a worker takes them back.
   */
  run: Record<string, unknown>;
  /** The raw state in plain text, or (with `[queue] state_secret`) `state_sealed` instead. */
  state?: Record<string, unknown>;
  state_sealed?: string;
  pending: { approval_id: string; agent: string; tool: string; arguments: string }[];
  /** The job's result line while it waits (`status: "awaiting_approval"`). */
  line: JobResultLine;
}

/** A decision recorded through the queue by `agentry approvals approve|deny ID --queue URL`. */
export interface QueueDecision {
  decision: "approve" | "deny";
  by: string;
  at: string;
  reason?: string;
}

/** Which lock an attempt holds the job under (BullMQ's `<job key>:lock` and this attempt's token). */
export interface JobLock {
  key: string;
  token: string;
}

/**
 * What became of an attempt's result: `written` (this attempt's result is the job's), `stored`
 * (an earlier attempt's result was there already and stays), or `lost` (another worker holds the
 * job now: its lock expired while this attempt ran; nothing was written).
 */
export type Completion =
  | { outcome: "written"; record: JobRecord }
  | { outcome: "stored"; record: JobRecord }
  | { outcome: "lost" };

/**
 * Writes a result unless another attempt holds the job's lock (KEYS[2]) or a result is stored
 * (HSETNX on KEYS[1]). An absent lock is no owner: it expired and no attempt took the job since,
 * or the job finished (then its result is stored and HSETNX keeps it).
 */
const COMPLETE_SCRIPT = `local holder = redis.call("GET", KEYS[2])
if holder and holder ~= ARGV[2] then return -1 end
return redis.call("HSETNX", KEYS[1], ARGV[1], ARGV[3])`;

/** Who cancelled a job, and when. */
export interface CancelMark {
  by: string;
  at: string;
}

const usageSchema = z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() });
const lineSchema = z.object({
  id: z.string(),
  run_id: z.string().nullable(),
  status: z.enum(["ok", "failed", "stopped", "awaiting_approval"]),
  answer: z.string(),
  stop_reason: z.string(),
  usage: usageSchema.nullable(),
  refused_calls: z.number().int().nonnegative().default(0),
  error: z
    .object({ name: z.string(), message: z.string(), data: z.record(z.string(), z.unknown()) })
    .optional(),
});
const recordSchema = lineSchema.extend({
  attempt: z.number(),
  worker: z.string(),
  finished_at: z.string(),
});
const attemptSchema = z.object({
  attempt: z.number(),
  worker: z.string(),
  started_at: z.string(),
  run_id: z.string().optional(),
  resumed: z.boolean().optional(),
});
const parkedSchema = z.object({
  job_id: z.string(),
  parked_at: z.string(),
  worker: z.string(),
  run_id: z.string(),
  run: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()).optional(),
  state_sealed: z.string().optional(),
  pending: z.array(
    z.object({ approval_id: z.string(), agent: z.string(), tool: z.string(), arguments: z.string() }),
  ),
  line: lineSchema,
});
const decisionSchema = z.object({
  decision: z.enum(["approve", "deny"]),
  by: z.string(),
  at: z.string(),
  reason: z.string().optional(),
});
const cancelSchema = z.object({ by: z.string(), at: z.string() });

/**
 * agentry's own records beside BullMQ's, under `agentry:<queue>:*`: results (each written once,
 * whichever attempt finishes first: `HSETNX`), attempts, runs parked for approval with their
 * decisions, and cancellations. Everything read back is validated; a value that does not parse
 * is treated as absent.
 */
export class JobStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisCommands,
    queueName: string,
  ) {
    this.prefix = `agentry:${queueName}`;
  }

  /**
   * Stores a job's result unless one is stored already; returns the stored one, so every attempt
   * reports the same result and the first to finish wins.
   */
  async writeResult(jobId: string, record: JobRecord): Promise<JobRecord> {
    const created = await this.redis.send("HSETNX", [this.key("results"), jobId, JSON.stringify(record)]);
    if (Number(created) === 1) return record;
    return (await this.result(jobId)) ?? record;
  }

  /**
   * Stores the result of the attempt holding `lock`, atomically with a check that no other attempt
   * holds the job: a worker whose lock expired (it was frozen, starved or cut off from Redis)
   * while another worker took the job over never writes, and only the attempt whose result is
   * the job's is told `written`, so each job is reported finished once.
   */
  async complete(jobId: string, record: JobRecord, lock: JobLock): Promise<Completion> {
    const reply = await this.redis.send("EVAL", [
      COMPLETE_SCRIPT,
      "2",
      this.key("results"),
      lock.key,
      jobId,
      lock.token,
      JSON.stringify(record),
    ]);
    if (Number(reply) === 1) return { outcome: "written", record };
    if (Number(reply) === -1) return { outcome: "lost" };
    const stored = await this.result(jobId);
    return stored ? { outcome: "stored", record: stored } : { outcome: "lost" };
  }

  async result(jobId: string): Promise<JobRecord | undefined> {
    return parse(recordSchema, await this.redis.send("HGET", [this.key("results"), jobId]));
  }

  /** Results of many jobs at once, in the order asked (undefined where none is stored yet). */
  async results(jobIds: string[]): Promise<(JobRecord | undefined)[]> {
    if (jobIds.length === 0) return [];
    const replies = await this.redis.send("HMGET", [this.key("results"), ...jobIds]);
    return (Array.isArray(replies) ? replies : []).map((reply) => parse(recordSchema, reply));
  }

  /** Records an attempt, or updates it (its run id once the run started). */
  async recordAttempt(jobId: string, attempt: AttemptRecord): Promise<void> {
    await this.redis.send("HSET", [
      this.key("attempts", jobId),
      String(attempt.attempt),
      JSON.stringify(attempt),
    ]);
  }

  /** Every attempt of a job, in order. */
  async attempts(jobId: string): Promise<AttemptRecord[]> {
    const key = this.key("attempts", jobId);
    const fields = await this.redis.send("HKEYS", [key]);
    const names = (Array.isArray(fields) ? fields : []).map(String).sort((a, b) => Number(a) - Number(b));
    if (names.length === 0) return [];
    const replies = await this.redis.send("HMGET", [key, ...names]);
    return (Array.isArray(replies) ? replies : []).flatMap((reply) => parse(attemptSchema, reply) ?? []);
  }

  /** Parks a job awaiting approval; earlier decisions of the job are cleared (new calls await). */
  async park(parked: ParkedJob): Promise<void> {
    await this.redis.send("DEL", [this.key("decisions", parked.job_id)]);
    for (const item of parked.pending)
      await this.redis.send("HSET", [this.key("approvals"), item.approval_id, parked.job_id]);
    await this.redis.send("HSET", [this.key("parked"), parked.job_id, JSON.stringify(parked)]);
  }

  async parked(jobId: string): Promise<ParkedJob | undefined> {
    return parse(parkedSchema, await this.redis.send("HGET", [this.key("parked"), jobId]));
  }

  /** Every parked job. */
  async allParked(): Promise<ParkedJob[]> {
    const ids = await this.redis.send("HKEYS", [this.key("parked")]);
    const list = Array.isArray(ids) ? ids.map(String) : [];
    return (await Promise.all(list.map((id) => this.parked(id)))).flatMap((item) => item ?? []);
  }

  /** Removes a parked job and its approvals once its run went on. */
  async unpark(parked: ParkedJob): Promise<void> {
    const ids = parked.pending.map((item) => item.approval_id);
    if (ids.length > 0) await this.redis.send("HDEL", [this.key("approvals"), ...ids]);
    await this.redis.send("DEL", [this.key("decisions", parked.job_id)]);
    await this.redis.send("HDEL", [this.key("parked"), parked.job_id]);
  }

  /** The job parked with this approval id, if any. */
  async jobOfApproval(approvalId: string): Promise<string | undefined> {
    const reply = await this.redis.send("HGET", [this.key("approvals"), approvalId]);
    return typeof reply === "string" ? reply : undefined;
  }

  /** Records a decision unless one exists; false when the approval was already decided. */
  async decide(jobId: string, approvalId: string, decision: QueueDecision): Promise<boolean> {
    const created = await this.redis.send("HSETNX", [
      this.key("decisions", jobId),
      approvalId,
      JSON.stringify(decision),
    ]);
    return Number(created) === 1;
  }

  async decisions(jobId: string, approvalIds: string[]): Promise<Map<string, QueueDecision>> {
    const decided = new Map<string, QueueDecision>();
    if (approvalIds.length === 0) return decided;
    const replies = await this.redis.send("HMGET", [this.key("decisions", jobId), ...approvalIds]);
    (Array.isArray(replies) ? replies : []).forEach((reply, index) => {
      const decision = parse(decisionSchema, reply);
      if (decision) decided.set(approvalIds[index] as string, decision);
    });
    return decided;
  }

  /** Marks a job cancelled; false when it was cancelled before. */
  async markCancelled(jobId: string, mark: CancelMark): Promise<boolean> {
    const created = await this.redis.send("HSETNX", [this.key("cancelled"), jobId, JSON.stringify(mark)]);
    return Number(created) === 1;
  }

  async cancelled(jobId: string): Promise<CancelMark | undefined> {
    return parse(cancelSchema, await this.redis.send("HGET", [this.key("cancelled"), jobId]));
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }
}

function parse<T>(schema: z.ZodType<T>, reply: unknown): T | undefined {
  if (typeof reply !== "string") return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(reply));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
