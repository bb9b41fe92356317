import { closeSync, openSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "../spec/errors.ts";
import { readJsonIfExists, writeJsonAtomic } from "./json-file.ts";
import { messageSchema } from "./message-schema.ts";

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

const decisionSchema = z.object({
  decision: z.enum(["approve", "deny"]),
  by: z.string(),
  reason: z.string().optional(),
  at: z.string(),
});

const pendingSchema = z.object({
  approval_id: z.string(),
  agent: z.string(),
  call: toolCallSchema,
  decision: decisionSchema.optional(),
});

const deferredRunSchema = z.object({
  run_id: z.string(),
  agent: z.string(),
  config: z.string(),
  status: z.enum(["awaiting_approval", "finished"]),
  created: z.string(),
  request: z.object({
    prompt: z.string(),
    model: z.string().optional(),
    maxTurns: z.number().optional(),
    timeoutMs: z.number().optional(),
    budget: z.object({ usd: z.number().optional(), tokens: z.number().optional() }).optional(),
    vars: z.record(z.string(), z.string()).optional(),
    outputSchema: z.string().optional(),
    session: z.string().optional(),
  }),
  messages: z.array(messageSchema),
  turns: z.number(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() }),
  pending: z.array(pendingSchema),
  resumes: z.number(),
  result: z
    .object({
      status: z.string(),
      stop_reason: z.string(),
      answer: z.string(),
      exit_code: z.number(),
    })
    .optional(),
});

export type DeferredRun = z.infer<typeof deferredRunSchema>;
export type PendingApproval = z.infer<typeof pendingSchema>;

/**
 * Runs that stopped awaiting approval (`--approve defer`), under `<state>/runs/<run-id>.json`.
 * `approvals approve|deny` records decisions here; `resume` executes them and continues.
 */
export class DeferredRunStore {
  constructor(private readonly stateDir: string) {}

  private dir(): string {
    return join(this.stateDir, "runs");
  }

  private pathOf(runId: string): string {
    if (!RUN_ID.test(runId)) throw new UsageError(`invalid run id "${runId}"`);
    return join(this.dir(), `${runId}.json`);
  }

  save(run: DeferredRun): void {
    writeJsonAtomic(this.pathOf(run.run_id), run);
  }

  /** The deferred run, or a usage error naming the state dir when there is none. */
  load(runId: string): DeferredRun {
    const path = this.pathOf(runId);
    const raw = readJsonIfExists(path);
    if (raw === undefined) {
      throw new UsageError(`no deferred run "${runId}" in ${this.dir()}`, {
        hint: "agentry approvals list shows deferred runs; set AGENTRY_STATE_DIR if they live elsewhere",
      });
    }
    const parsed = deferredRunSchema.safeParse(raw);
    if (!parsed.success) throw new UsageError(`deferred run file ${path} is corrupt`);
    return parsed.data;
  }

  /** Every deferred run, newest first. */
  list(): DeferredRun[] {
    let names: string[];
    try {
      names = readdirSync(this.dir()).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
    return names
      .map((name) => this.load(name.slice(0, -".json".length)))
      .sort((a, b) => b.created.localeCompare(a.created));
  }

  /** The run holding an approval id, or undefined when no deferred run has it. */
  lookupApproval(approvalId: string): { run: DeferredRun; pending: PendingApproval } | undefined {
    for (const run of this.list()) {
      const pending = run.pending.find((item) => item.approval_id === approvalId);
      if (pending) return { run, pending };
    }
    return undefined;
  }

  /**
   * Holds an exclusive lock on a run while it resumes, so two `resume` commands never execute
   * the same approved call twice. Returns the release function.
   */
  lock(runId: string): () => void {
    const path = `${this.pathOf(runId)}.lock`;
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch {
      throw new UsageError(`run ${runId} is being resumed by another process (lock ${path})`, {
        hint: "wait for it to finish, or delete the lock file if that process died",
      });
    }
    return () => {
      closeSync(fd);
      rmSync(path, { force: true });
    };
  }
}

/** The usage error for an approval id no deferred run holds. */
export function noPendingApproval(approvalId: string): UsageError {
  return new UsageError(`no pending approval "${approvalId}"`, { hint: "agentry approvals list" });
}
