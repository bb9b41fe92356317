import type { Interrupt } from "@ag-ui/core";
import type { EventEncoder } from "@ag-ui/encoder";
import type { LoadedConfig } from "../config/loader.ts";
import { targetsIn } from "../middleware/approval/targets.ts";
import type { ApprovalVerdict } from "../runtime/decide-approval.ts";
import { LruMap } from "../runtime/lru-map.ts";
import { newRunId } from "../runtime/run-id.ts";
import type { RunRequest, RunResult } from "../runtime/run-request.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { RunEvent } from "../spec/events.ts";
import { RunStop } from "../spec/run-stop.ts";
import { LockBusyError } from "../state/run-lock.ts";
import { AguiTranslator } from "./agui-translate.ts";
import type { AskedApproval, InterruptBook } from "./interrupt-book.ts";
import { type Refusal, refusal } from "./refusal.ts";
import { checkResumeAnswers } from "./resume-answers.ts";
import { clampBudget, type RunInput } from "./run-input.ts";
import { RunLog } from "./run-log.ts";
import { fromRecord, type ServerRun, toRecord } from "./server-run.ts";
import type { InterruptRecord, ServerState } from "./server-state.ts";
import { ThreadQueue } from "./thread-queue.ts";

/**
 * Seconds a client is told to wait (`Retry-After`) before posting a decision again when the run's
 * decision lock stayed busy past its wait: a normal holder keeps it for milliseconds, so one still
 * holding it after seconds is stuck or slow, and hammering it helps nobody.
 */
const DECISION_RETRY_AFTER_S = 5;

/**
 * Decisions on interrupts of continued runs remembered in memory, so posting one again is answered
 * `repeated` (a few hundred bytes each). Older ones are forgotten: posting one of those is 404.
 */
export const KEPT_DECISIONS = 4096;

/** Finished runs kept in memory for replay; older ones are read back from disk. */
const KEPT_FINISHED = 256;

interface LiveRun extends ServerRun {
  controller: AbortController;
  done: Promise<void>;
}

type Execute = (extra: { signal: AbortSignal; onEvent: (event: RunEvent) => void }) => Promise<RunResult>;

/** A continuation announced to clients (its run exists, `queued`) that waits for its thread. */
interface QueuedContinuation {
  run: LiveRun;
  execute: Execute;
  onDone: () => void;
}

/** Everything the run registry works with. */
export interface ServerRunsOptions {
  runtime: Runtime;
  loaded: LoadedConfig;
  state: ServerState;
  interrupts: InterruptBook;
  encoder: EventEncoder;
  now: () => Date;
  /** Decisions of continued runs remembered for repeated POSTs (default `KEPT_DECISIONS`). */
  keptDecisions?: number;
}

/**
 * The server's runs: starts them on the runtime with approvals deferred (an `ask` becomes an
 * AG-UI interrupt), translates their events into each run's replayable log, keeps one active run
 * per thread, continues a run once all its interrupts are decided (when its thread is busy, as
 * soon as the thread's run ends, in the order the decisions came), cancels, and saves every
 * finished run so replay and summaries survive a restart. Runs do not depend on any client.
 */
export class ServerRuns {
  private readonly live = new Map<string, LiveRun>();
  private readonly finished: string[] = [];
  private readonly busyThreads = new Map<string, string>();
  /** Agentry runs continued or queued to continue: each continues once. */
  private readonly continuing = new Set<string>();
  private readonly waiting = new ThreadQueue<QueuedContinuation>();
  private stopping = false;
  /**
   * Decisions on interrupts whose run already continued (their records are closed), so a retried
   * POST stays idempotent: the most recently used `keptDecisions` of them, so a long-lived server
   * does not grow with every decision it ever took.
   */
  private readonly decided: LruMap<string, { verdict: ApprovalVerdict; agentryRunId: string }>;

  constructor(private readonly options: ServerRunsOptions) {
    this.decided = new LruMap(options.keptDecisions ?? KEPT_DECISIONS);
  }

  /** Starts a new run of `agent`, or continues interrupted ones when the input carries `resume`. */
  start(agent: string, input: RunInput): { ok: true; run: ServerRun } | Refusal {
    const taken = this.refuseStart(input.runId, input.threadId);
    if (taken) return taken;
    if (input.resume.length > 0) return this.resumeFromInput(agent, input);
    const waiting = this.options.interrupts.pending().find((record) => record.threadId === input.threadId);
    if (waiting)
      return refusal(
        409,
        "thread_interrupted",
        `thread "${input.threadId}" awaits a decision on interrupt ${waiting.id}; resume it`,
      );
    const { config } = this.options.loaded;
    const budget = clampBudget(input.budget, config.agents?.[agent]?.budget ?? config.defaults?.budget);
    const request: RunRequest = {
      target: agent,
      runId: input.runId,
      prompt: input.prompt,
      session: input.threadId,
      approve: "defer",
      ...(input.vars ? { vars: input.vars } : {}),
      ...(budget ? { budget } : {}),
    };
    const run = this.launch({ id: input.runId, threadId: input.threadId, agent }, (extra) =>
      this.options.runtime.run({ ...request, ...extra }),
    );
    return { ok: true, run };
  }

  /**
   * The real values behind the ip, e-mail and phone placeholders of a pending interrupt's
   * arguments, from its deferred run's sealed state (`targetsIn`), for authenticated readers of
   * the interrupt list only; undefined when there are none or the state does not open.
   */
  targetsOf(interrupt: InterruptRecord): Readonly<Record<string, string>> | undefined {
    const store = this.options.runtime.deferred;
    try {
      const known = store.unseal(store.load(interrupt.agentryRunId)).restore;
      return known
        ? targetsIn(JSON.stringify(interrupt.args), (placeholder) => known[placeholder])
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** A run by id: live or recently finished in memory, else saved on disk. */
  get(id: string): ServerRun | undefined {
    const live = this.live.get(id);
    if (live) return live;
    const saved = this.options.state.loadRun(id);
    return saved ? fromRecord(saved) : undefined;
  }

  /** Cancels a running run (its tool process trees are killed); refused when it is not running. */
  cancel(id: string): { ok: true } | Refusal {
    const run = this.live.get(id);
    if (!run && !this.options.state.loadRun(id)) return refusal(404, "unknown_run", `no run "${id}"`);
    if (run?.status === "queued")
      return refusal(409, "not_running", `run "${id}" waits for its thread; cancel it once it runs`);
    if (run?.status !== "running") return refusal(409, "not_running", `run "${id}" is not running`);
    run.controller.abort(new RunStop("cancelled", "cancelled over HTTP"));
    return { ok: true };
  }

  /**
   * Records a decision on an interrupt (idempotent for the same decision) and, once every
   * interrupt of its run is decided, continues the run. A repeated decision continues it too when
   * it has not continued yet: the decision may have been recorded outside the server (`agentry
   * approvals` writes the same state). 404 unknown, 410 expired, 409 conflict, 503 (with
   * `retryAfter`, nothing recorded) when the run's decision lock stays busy past its wait.
   */
  decide(
    id: string,
    verdict: ApprovalVerdict,
  ): { ok: true; repeated: boolean; decision: ApprovalVerdict; continuedAs?: string } | Refusal {
    const recorded = this.record(id, verdict);
    if (!recorded.ok) return recorded;
    const continued = this.continueWhenDecided(recorded.agentryRunId);
    return { ...recorded, ...(continued ? { continuedAs: continued.id } : {}) };
  }

  private record(
    id: string,
    verdict: ApprovalVerdict,
  ): { ok: true; repeated: boolean; decision: ApprovalVerdict; agentryRunId: string } | Refusal {
    const remembered = this.decided.get(id);
    if (remembered) {
      return remembered.verdict.decision === verdict.decision
        ? { ok: true, repeated: true, decision: remembered.verdict, agentryRunId: remembered.agentryRunId }
        : refusal(
            409,
            "already_decided",
            `interrupt ${id} was already decided: ${remembered.verdict.decision}`,
          );
    }
    const record = this.options.interrupts.get(id);
    if (!record) return refusal(404, "unknown_interrupt", `no interrupt "${id}"`);
    const state = this.options.interrupts.stateOf(record);
    if (state === "gone") return refusal(404, "unknown_interrupt", `interrupt "${id}" is no longer pending`);
    if (state === "expired") return refusal(410, "expired", `interrupt ${id} expired at ${record.expiresAt}`);
    let outcome: ReturnType<Runtime["decide"]>;
    try {
      outcome = this.options.runtime.decide(id, verdict);
    } catch (err) {
      if (!(err instanceof LockBusyError)) throw err;
      return refusal(
        503,
        "decision_lock_busy",
        `the decision on interrupt ${id} was not recorded: ${err.message}; try again later`,
        DECISION_RETRY_AFTER_S,
      );
    }
    if (!outcome.ok) {
      return outcome.reason === "unknown"
        ? refusal(404, "unknown_interrupt", `no interrupt "${id}"`)
        : refusal(
            409,
            "already_decided",
            `interrupt ${id} was already decided: ${outcome.pending.decision?.decision}`,
          );
    }
    const saved = outcome.pending.decision ?? verdict;
    this.options.interrupts.changed();
    return {
      ok: true,
      repeated: outcome.repeated,
      decision: { decision: saved.decision, by: saved.by, ...(saved.reason ? { reason: saved.reason } : {}) },
      agentryRunId: record.agentryRunId,
    };
  }

  /**
   * Continues runs whose interrupts were all decided while the server was down, or whose
   * continuation was still waiting for its thread when it stopped: such a continuation keeps the
   * run id it was announced with (its origin's `continuedBy`).
   */
  continueDecided(): void {
    for (const agentryRunId of this.options.interrupts.decidedRuns()) {
      const origin = this.options.interrupts.recordsOf(agentryRunId)[0];
      const announced = origin ? this.options.state.loadRun(origin.runId)?.continuedBy : undefined;
      const unused = announced && !this.live.has(announced) && !this.options.state.loadRun(announced);
      this.continueWhenDecided(agentryRunId, unused ? announced : newRunId());
    }
  }

  /**
   * Lets running runs finish for up to `graceMs`, then stops the rest as interrupted (tools
   * killed, session saved) and waits for them to save their state. Continuations waiting for
   * their thread do not start: their streams end, and their decided interrupts stay on disk for
   * the next start (`continueDecided`).
   */
  async drain(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const { run } of this.waiting.takeAll()) {
      run.log.end();
      this.live.delete(run.id);
    }
    const running = [...this.live.values()].filter((run) => run.status === "running");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(running.map((run) => run.done)), grace]);
    clearTimeout(timer);
    for (const run of running) run.controller.abort(new RunStop("interrupted", "the server is stopping"));
    await Promise.all(running.map((run) => run.done));
  }

  private refuseStart(runId: string, threadId: string): Refusal | undefined {
    if (this.live.has(runId) || this.options.state.loadRun(runId) || this.options.runtime.deferred.has(runId))
      return refusal(409, "run_exists", `a run "${runId}" already exists; send a new runId`);
    if (this.busyThreads.has(threadId))
      return refusal(
        409,
        "thread_busy",
        `thread "${threadId}" has a run in progress (${this.busyThreads.get(threadId)})`,
      );
    return undefined;
  }

  private resumeFromInput(agent: string, input: RunInput): { ok: true; run: ServerRun } | Refusal {
    const checked = checkResumeAnswers(
      input.resume,
      { threadId: input.threadId, agent },
      this.options.interrupts,
      this.options.runtime.deferred,
    );
    if (!checked.ok) return checked;
    for (const { interruptId, verdict } of checked.answers) {
      const decided = this.record(interruptId, { ...verdict, by: "server:operator" });
      if (!decided.ok) return decided;
    }
    const run = this.continueWhenDecided(checked.agentryRunId, input.runId);
    return run
      ? { ok: true, run }
      : refusal(409, "undecided", "some interrupts of that run are not answered yet");
  }

  /**
   * Continues the agentry run once every interrupt of it is decided: now, or when its thread is
   * busy, queued behind the thread's run (announced as `queued` under `id` already). Its
   * interrupts are closed when it starts, so a stop before that leaves them for the next start.
   * A resume refused because a lock of the run is busy (`LockBusyError`: nothing ran) fails the
   * continuation and reopens them, so posting a decision again, or the next start, continues it.
   */
  private continueWhenDecided(agentryRunId: string, id: string = newRunId()): ServerRun | undefined {
    if (this.continuing.has(agentryRunId) || this.stopping) return undefined;
    let deferred: ReturnType<Runtime["deferred"]["load"]>;
    try {
      deferred = this.options.runtime.deferred.load(agentryRunId);
    } catch {
      return undefined;
    }
    if (deferred.status !== "awaiting_approval" || deferred.pending.some((item) => !item.decision))
      return undefined;
    const origin = this.options.interrupts.recordsOf(agentryRunId)[0];
    if (!origin) return undefined;
    for (const item of deferred.pending) {
      const decision = item.decision;
      if (decision)
        this.decided.set(item.approval_id, {
          verdict: { decision: decision.decision, by: decision.by },
          agentryRunId,
        });
    }
    this.continuing.add(agentryRunId);
    this.markContinued(origin.runId, id);
    const run = this.register({ id, threadId: origin.threadId, agent: deferred.agent, agentryRunId });
    const execute: Execute = async (extra) => {
      const records = this.options.interrupts.recordsOf(agentryRunId);
      this.options.interrupts.close(agentryRunId);
      try {
        return await this.options.runtime.resume(agentryRunId, { approve: "defer", ...extra });
      } catch (err) {
        if (err instanceof LockBusyError) this.options.interrupts.reopen(records);
        throw err;
      }
    };
    const onDone = () => this.continuing.delete(agentryRunId);
    if (this.busyThreads.has(run.threadId)) {
      this.waiting.add(run.threadId, { run, execute, onDone });
      return run;
    }
    this.begin(run, execute, onDone);
    return run;
  }

  private markContinued(originId: string, id: string): void {
    const live = this.live.get(originId);
    if (live) live.continuedBy = id;
    const saved = this.options.state.loadRun(originId);
    if (saved) this.options.state.saveRun({ ...saved, continuedBy: id });
  }

  private launch(
    meta: { id: string; threadId: string; agent: string; agentryRunId?: string },
    execute: Execute,
  ): LiveRun {
    const run = this.register(meta);
    this.begin(run, execute, () => {});
    return run;
  }

  /** A run known to clients (`GET /v1/runs/{id}`, its events) before it starts. */
  private register(meta: { id: string; threadId: string; agent: string; agentryRunId?: string }): LiveRun {
    const run: LiveRun = {
      ...meta,
      created: this.options.now().toISOString(),
      status: "queued",
      log: new RunLog(meta.id),
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.live.set(run.id, run);
    return run;
  }

  /**
   * Runs `execute` as `run`, the one run of its thread, and when it ends starts the continuation
   * waiting next for the thread (before its own stream ends).
   */
  private begin(run: LiveRun, execute: Execute, onDone: () => void): void {
    run.status = "running";
    const { controller } = run;
    const asked = new Map<string, AskedApproval>();
    const translator = new AguiTranslator({ threadId: run.threadId, runId: run.id }, () =>
      this.openInterrupts(run, asked),
    );
    const push = (events: ReturnType<AguiTranslator["translate"]>) => {
      for (const event of events) run.log.push(this.options.encoder.encodeSSE(event));
    };
    const onEvent = (event: RunEvent) => {
      run.agentryRunId ??= event.run_id;
      if (event.type === "approval" && event.state === "asked")
        asked.set(event.approval_id, { args: event.args, rule: event.rule ?? "policy.approval" });
      if (event.type === "run_end" && event.run_id === run.agentryRunId) run.summary = event;
      push(translator.translate(event));
    };
    this.busyThreads.set(run.threadId, run.id);
    run.done = Promise.resolve()
      .then(() => execute({ signal: controller.signal, onEvent }))
      .then(
        (result) => {
          run.status = result.status;
        },
        (err: unknown) => {
          run.status = "failed";
          push(translator.failed(err instanceof Error ? err.message : String(err)));
        },
      )
      .finally(() => {
        onDone();
        this.busyThreads.delete(run.threadId);
        const next = this.stopping ? undefined : this.waiting.next(run.threadId);
        if (next) this.begin(next.run, next.execute, next.onDone);
        run.log.end();
        this.options.state.saveRun(toRecord(run));
        this.retire(run.id);
      });
  }

  /** The interrupts of a run that stopped awaiting approval; none when its state cannot be read. */
  private openInterrupts(run: ServerRun, asked: ReadonlyMap<string, AskedApproval>): Interrupt[] {
    if (!run.agentryRunId) return [];
    try {
      const deferred = this.options.runtime.deferred.load(run.agentryRunId);
      return this.options.interrupts.open(deferred, { runId: run.id, threadId: run.threadId }, asked);
    } catch {
      return [];
    }
  }

  private retire(id: string): void {
    this.finished.push(id);
    while (this.finished.length > KEPT_FINISHED) {
      const oldest = this.finished.shift();
      if (oldest !== undefined) this.live.delete(oldest);
    }
  }
}
