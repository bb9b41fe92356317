import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { lazySchema } from "../lazy-zod/lazy-schema.ts";
import { UsageError } from "../spec/errors.ts";
import { StateIntegrityError } from "./integrity-error.ts";
import { readJsonIfExists, writeJsonAtomic } from "./json-file.ts";
import { messageSchema } from "./message-schema.ts";
import { acquireLock, acquireLockWaiting } from "./run-lock.ts";
import { openStateKey, type StateKey } from "./state-key.ts";

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Built on first use (`lazySchema`): zod schemas cost start-up time in every run that never reads a deferred run back (docs/benchmarks/turns.md). */
const toolCallSchema = lazySchema((z) =>
  z.object({ id: z.string(), name: z.string(), arguments: z.string() }),
);

const decisionSchema = lazySchema((z) =>
  z.object({
    decision: z.enum(["approve", "deny"]),
    by: z.string(),
    reason: z.string().optional(),
    at: z.string(),
    /** HMAC over (run, approval id, call id, tool, canonical raw arguments, decision, by, reason, at). */
    mac: z.string(),
  }),
);

const attemptResultSchema = lazySchema((z) =>
  z.object({
    ok: z.boolean(),
    output: z.string(),
    error: z.string().optional(),
    stopped_by: z.string().optional(),
    stop_reason: z.string().optional(),
  }),
);

const pendingSchema = lazySchema((z) =>
  z.object({
    approval_id: z.string(),
    agent: z.string(),
    /** The call as shown to humans: `arguments` redacted. What runs comes from `sealed`. */
    call: toolCallSchema(),
    decision: decisionSchema().optional(),
    /** Write-ahead record of a resume executing the approved call: started, then its (redacted) result. */
    attempt: z.object({ started: z.string(), result: attemptResultSchema().optional() }).optional(),
  }),
);

/** The raw values a resume needs, sealed with the state key: never in plain text at rest. */
const sealedStateSchema = lazySchema((z) =>
  z.object({
    prompt: z.string(),
    messages: z.array(messageSchema()),
    calls: z.array(
      z.object({
        approval_id: z.string(),
        id: z.string(),
        name: z.string(),
        arguments: z.string(),
        args: z.record(z.string(), z.unknown()),
      }),
    ),
    /**
     * The real ip, e-mail and phone values behind the placeholders in the pending calls' arguments
     * (copied by the model from redacted output), so the approved calls run with them after a
     * resume, as they would have run had they been approved at once.
     */
    restore: z.record(z.string(), z.string()).optional(),
  }),
);

/** Version of the deferred-run file format; files without it predate integrity protection. */
const FORMAT = 2;

/** How long recording a decision waits for another process recording one on the same run. */
const DECISION_LOCK_WAIT_MS = 5000;

const deferredRunSchema = lazySchema((z) =>
  z.object({
    format: z.literal(FORMAT),
    run_id: z.string(),
    agent: z.string(),
    config: z.string(),
    status: z.enum(["awaiting_approval", "finished"]),
    created: z.string(),
    request: z.object({
      /** Redacted; the raw prompt is sealed. */
      prompt: z.string(),
      model: z.string().optional(),
      maxTurns: z.number().optional(),
      timeoutMs: z.number().optional(),
      budget: z.object({ usd: z.number().optional(), tokens: z.number().optional() }).optional(),
      vars: z.record(z.string(), z.string()).optional(),
      outputSchema: z.string().optional(),
      session: z.string().optional(),
      /** `--system-prompt` / `--append-system-prompt` of the run (redacted). */
      instructions: z.string().optional(),
      appendInstructions: z.string().optional(),
    }),
    /** Redacted; the raw conversation is sealed. */
    messages: z.array(messageSchema()),
    turns: z.number(),
    usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() }),
    pending: z.array(pendingSchema()),
    resumes: z.number(),
    /** Sub-agent runs started before the run was deferred (`<run>.<n>` ids up to n); absent in older files. */
    sub_runs: z.number().int().nonnegative().optional(),
    result: z
      .object({
        status: z.string(),
        stop_reason: z.string(),
        answer: z.string(),
        exit_code: z.number(),
      })
      .optional(),
    sealed: z.string(),
    /** HMAC over the canonical JSON of every other field. */
    mac: z.string(),
  }),
);

export type DeferredRun = z.infer<ReturnType<typeof deferredRunSchema>>;
export type PendingApproval = z.infer<ReturnType<typeof pendingSchema>>;
export type SealedRunState = z.infer<ReturnType<typeof sealedStateSchema>>;
export type SealedCall = SealedRunState["calls"][number];
/** A deferred run as its writer builds it; the store adds the format, seal and MAC. */
export type DeferredRunDraft = Omit<DeferredRun, "format" | "sealed" | "mac">;
/** A decision as a human gives it; the store binds it to the call with a MAC. */
export type DecisionInput = Omit<NonNullable<PendingApproval["decision"]>, "mac">;

/**
 * Runs that stopped awaiting approval (`--approve defer`), under `<state>/runs/<run-id>.json`
 * (0600 in 0700 directories). `approvals approve|deny` records decisions here; `resume` executes
 * them and continues. Every file carries a MAC under the state key and every decision its own
 * MAC binding it to one exact call; the raw prompt, conversation and arguments are sealed, and
 * the readable copies are redacted. A file that fails a check is a `StateIntegrityError`.
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

  private key(create: boolean): StateKey | undefined {
    return openStateKey(this.stateDir, { create });
  }

  private requireKey(runId: string): StateKey {
    const key = this.key(false);
    if (!key)
      throw new StateIntegrityError(runId, `the state key ${join(this.stateDir, "state.key")} is missing`);
    return key;
  }

  /** Writes a new deferred run: seals `secret`, signs the file. Creates the state key on first use. */
  create(draft: DeferredRunDraft, secret: SealedRunState): void {
    const key = this.key(true) as StateKey;
    const sealed = key.seal(JSON.stringify(secret), draft.run_id);
    this.write(key, { ...draft, format: FORMAT, sealed });
  }

  /** Whether a deferred run with this id exists (an invalid id is a usage error). */
  has(runId: string): boolean {
    return existsSync(this.pathOf(runId));
  }

  /** Rewrites a loaded run after a change (a decision, an attempt), signing it again. */
  save(run: DeferredRun): void {
    const { mac: _old, ...rest } = run;
    this.write(this.requireKey(run.run_id), rest);
  }

  private write(key: StateKey, run: Omit<DeferredRun, "mac">): void {
    writeJsonAtomic(this.pathOf(run.run_id), { ...run, mac: key.mac("deferred-run", run) });
  }

  /**
   * The deferred run, verified: a usage error naming the state dir when there is none, a
   * `StateIntegrityError` when it was written by an older agentry or altered since.
   */
  load(runId: string): DeferredRun {
    const path = this.pathOf(runId);
    const raw = readJsonIfExists(path);
    if (raw === undefined) {
      throw new UsageError(
        `no deferred run "${runId}" in ${this.dir()}: only a run that stopped awaiting approval (--approve defer, exit 5) can be resumed. An interrupted run (Ctrl-C, SIGTERM, a closed stdout) cannot: the tool calls it was running were killed part-way, so their effects are unknown and resuming could run them a second time`,
        {
          hint: "start a new run (a run with --session ID saved its conversation: pass the same --session to go on); agentry approvals list shows deferred runs; set AGENTRY_STATE_DIR if they live elsewhere",
        },
      );
    }
    if ((raw as { format?: unknown }).format !== FORMAT) {
      throw new StateIntegrityError(runId, "it was written by an older agentry without integrity protection");
    }
    const parsed = deferredRunSchema().safeParse(raw);
    if (!parsed.success) throw new StateIntegrityError(runId, `${path} is not a valid deferred run`);
    const { mac, ...rest } = parsed.data;
    if (!this.requireKey(runId).verify("deferred-run", rest, mac)) {
      throw new StateIntegrityError(runId, `${path} was altered after agentry wrote it`);
    }
    return parsed.data;
  }

  /** The raw prompt, conversation and calls of a verified run. */
  unseal(run: DeferredRun): SealedRunState {
    const plain = this.requireKey(run.run_id).unseal(run.sealed, run.run_id);
    const parsed = plain === undefined ? undefined : sealedStateSchema().safeParse(JSON.parse(plain));
    if (!parsed?.success) throw new StateIntegrityError(run.run_id, "its sealed state does not open");
    return parsed.data;
  }

  /**
   * Records a human decision on one pending approval, bound by a MAC to the exact sealed call
   * (run, approval id, call id, tool, canonical arguments) and to who decided, when and why.
   */
  decide(run: DeferredRun, pending: PendingApproval, decision: DecisionInput): void {
    const call = this.sealedCall(run, pending.approval_id);
    pending.decision = {
      ...decision,
      mac: this.requireKey(run.run_id).mac("decision", decisionParts(run, call, decision)),
    };
    this.save(run);
  }

  /**
   * The sealed call behind a decided approval, after checking the decision's MAC; a decision
   * that was forged, altered or moved to another call is a `StateIntegrityError`.
   */
  verifiedCall(run: DeferredRun, pending: PendingApproval): SealedCall {
    const call = this.sealedCall(run, pending.approval_id);
    const decision = pending.decision;
    if (!decision)
      throw new StateIntegrityError(run.run_id, `approval ${pending.approval_id} has no decision`);
    const { mac, ...input } = decision;
    if (call.name !== pending.call.name || call.id !== pending.call.id) {
      throw new StateIntegrityError(
        run.run_id,
        `approval ${pending.approval_id} names another call than it was taken on`,
      );
    }
    if (!this.requireKey(run.run_id).verify("decision", decisionParts(run, call, input), mac)) {
      throw new StateIntegrityError(
        run.run_id,
        `the decision on approval ${pending.approval_id} was not recorded by agentry for this call`,
      );
    }
    return call;
  }

  private sealedCall(run: DeferredRun, approvalId: string): SealedCall {
    const call = this.unseal(run).calls.find((item) => item.approval_id === approvalId);
    if (!call) throw new StateIntegrityError(run.run_id, `approval ${approvalId} is not in its sealed state`);
    return call;
  }

  /**
   * Every deferred run, newest first. A run that fails its integrity check is left out and
   * passed to `onDamaged` (default: thrown).
   */
  list(onDamaged: (runId: string, error: StateIntegrityError) => void = rethrow): DeferredRun[] {
    let names: string[];
    try {
      names = readdirSync(this.dir()).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
    const runs: DeferredRun[] = [];
    for (const name of names) {
      const runId = name.slice(0, -".json".length);
      try {
        runs.push(this.load(runId));
      } catch (err) {
        if (!(err instanceof StateIntegrityError)) throw err;
        onDamaged(runId, err);
      }
    }
    return runs.sort((a, b) => b.created.localeCompare(a.created));
  }

  /**
   * The run holding an approval id, or undefined when no deferred run has it. An id that is in
   * a run failing its integrity check is that run's `StateIntegrityError`.
   */
  lookupApproval(approvalId: string): { run: DeferredRun; pending: PendingApproval } | undefined {
    const damaged: StateIntegrityError[] = [];
    for (const run of this.list((_runId, error) => damaged.push(error))) {
      const pending = run.pending.find((item) => item.approval_id === approvalId);
      if (pending) return { run, pending };
    }
    const runId = approvalId.slice(0, approvalId.lastIndexOf("-"));
    const hit = damaged.find((error) => error.data["run_id"] === runId);
    if (hit) throw hit;
    return undefined;
  }

  /**
   * Holds an exclusive lock on a run while it resumes, so two `resume` commands never execute
   * the same approved call twice; a lock left by a dead process is taken over. A run that was
   * never deferred is `load`'s usage error, before any lock file is made. Returns the release
   * function.
   */
  lock(runId: string): () => void {
    const path = this.pathOf(runId);
    if (!existsSync(path)) this.load(runId);
    return acquireLock(`${path}.lock`, `run ${runId}`);
  }

  /**
   * Holds the lock under which a decision on a run is recorded (read the run, check, save, audit),
   * so processes deciding on one run at once (`agentry approvals`, `serve`) take turns and each
   * sees the decisions recorded before it. Held for milliseconds: a caller waits up to
   * DECISION_LOCK_WAIT_MS for another holder, then gets a usage error naming it. Returns the
   * release function.
   */
  lockDecisions(runId: string): () => void {
    return acquireLockWaiting(
      `${this.pathOf(runId)}.decide.lock`,
      `decisions on run ${runId}`,
      DECISION_LOCK_WAIT_MS,
    );
  }
}

function rethrow(_runId: string, error: StateIntegrityError): never {
  throw error;
}

function decisionParts(run: DeferredRun, call: SealedCall, decision: DecisionInput): unknown[] {
  return [
    run.run_id,
    call.approval_id,
    call.id,
    call.name,
    call.args,
    decision.decision,
    decision.by,
    decision.reason ?? null,
    decision.at,
  ];
}

/** The usage error for an approval id no deferred run holds. */
export function noPendingApproval(approvalId: string): UsageError {
  return new UsageError(`no pending approval "${approvalId}"`, { hint: "agentry approvals list" });
}
