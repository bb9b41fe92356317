import type { Interrupt } from "@ag-ui/core";
import type { Runtime } from "../runtime/runtime.ts";
import type { DeferredRun } from "../state/deferred-runs.ts";
import type { InterruptRecord, ServerState } from "./server-state.ts";

/** What the approval layer said when it asked, from the run's (redacted) `approval` events. */
export interface AskedApproval {
  args: unknown;
  rule: string;
}

/** An interrupt and where it stands now. */
export type InterruptState = "pending" | "decided" | "expired" | "gone";

/**
 * The server's pending approvals (AG-UI interrupts), persisted in `<state>/server/interrupts.json`
 * so a restart loses none. Whether one is still pending is read from the deferred-run store,
 * where decisions are recorded (`runtime.decide`), so the CLI's `agentry approvals` and the
 * server agree. Watchers hear of every change (the page's live updates).
 */
export class InterruptBook {
  private readonly records = new Map<string, InterruptRecord>();
  private readonly watchers = new Set<() => void>();

  constructor(
    private readonly state: ServerState,
    private readonly runtime: Runtime,
    private readonly ttlMs: number,
    private readonly now: () => Date,
  ) {
    for (const record of state.loadInterrupts()) this.records.set(record.id, record);
  }

  /**
   * Records the undecided approvals of a run that just stopped awaiting them and returns them as
   * AG-UI interrupts (id, reason, tool call, redacted args, the rule that asked, `expiresAt`).
   */
  open(
    deferred: DeferredRun,
    where: { runId: string; threadId: string },
    asked: ReadonlyMap<string, AskedApproval>,
  ): Interrupt[] {
    const created = this.now();
    const opened: InterruptRecord[] = [];
    for (const item of deferred.pending) {
      if (item.decision) continue;
      const seen = asked.get(item.approval_id);
      opened.push({
        id: item.approval_id,
        agentryRunId: deferred.run_id,
        runId: where.runId,
        threadId: where.threadId,
        agent: item.agent,
        toolCallId: item.call.id,
        tool: item.call.name,
        args: seen?.args ?? "[not shown]",
        rule: seen?.rule ?? "policy.approval",
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + this.ttlMs).toISOString(),
      });
    }
    for (const record of opened) this.records.set(record.id, record);
    this.persist();
    return opened.map(toInterrupt);
  }

  get(id: string): InterruptRecord | undefined {
    return this.records.get(id);
  }

  /** Where an interrupt stands: its approval decided or still open, expired, or gone (run moved on). */
  stateOf(
    record: InterruptRecord,
    run: DeferredRun | undefined = this.deferredRun(record.agentryRunId),
  ): InterruptState {
    const pending =
      run?.status === "awaiting_approval" ? run.pending.find((p) => p.approval_id === record.id) : undefined;
    if (!pending) return "gone";
    if (pending.decision) return "decided";
    return this.now().getTime() >= Date.parse(record.expiresAt) ? "expired" : "pending";
  }

  /**
   * Interrupts still waiting for a decision and not expired, oldest first. Forgets (in memory and
   * in `interrupts.json`) those whose run moved on outside the server (`agentry resume`) or is no
   * longer on disk, so a long-lived server does not keep them forever; never one whose run merely
   * could not be read.
   */
  pending(): InterruptRecord[] {
    const runs = new Map<string, DeferredRun | undefined>();
    const open: InterruptRecord[] = [];
    let forgot = false;
    for (const [id, record] of this.records) {
      if (!runs.has(record.agentryRunId))
        runs.set(record.agentryRunId, this.deferredRun(record.agentryRunId));
      const run = runs.get(record.agentryRunId);
      const state = this.stateOf(record, run);
      if (state === "pending") open.push(record);
      if (state === "gone" && (run !== undefined || this.runMissing(record.agentryRunId))) {
        this.records.delete(id);
        forgot = true;
      }
    }
    if (forgot) this.state.saveInterrupts([...this.records.values()]);
    return open.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The interrupt records of one agentry run. */
  recordsOf(agentryRunId: string): InterruptRecord[] {
    return [...this.records.values()].filter((record) => record.agentryRunId === agentryRunId);
  }

  /** Runs whose every interrupt is decided but which have not continued yet (after a restart). */
  decidedRuns(): string[] {
    const ids = new Set([...this.records.values()].map((record) => record.agentryRunId));
    return [...ids].filter((id) => {
      const run = this.deferredRun(id);
      return run?.status === "awaiting_approval" && run.pending.every((item) => item.decision);
    });
  }

  /** Forgets the interrupts of a run that continued, and tells the watchers. */
  close(agentryRunId: string): void {
    for (const [id, record] of this.records)
      if (record.agentryRunId === agentryRunId) this.records.delete(id);
    this.persist();
  }

  /** Puts back the records of a run whose continuation could not start (see `close`). */
  reopen(records: readonly InterruptRecord[]): void {
    for (const record of records) this.records.set(record.id, record);
    this.persist();
  }

  /** Tells the watchers something changed (a decision was recorded). */
  changed(): void {
    for (const watcher of this.watchers) watcher();
  }

  /** Calls `watcher` after every change; returns the function that stops watching. */
  watch(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private persist(): void {
    this.state.saveInterrupts([...this.records.values()]);
    this.changed();
  }

  /** Whether a run's deferred state is known to be absent (not merely unreadable). */
  private runMissing(agentryRunId: string): boolean {
    try {
      return !this.runtime.deferred.has(agentryRunId);
    } catch {
      return false;
    }
  }

  private deferredRun(agentryRunId: string): DeferredRun | undefined {
    try {
      return this.runtime.deferred.load(agentryRunId);
    } catch {
      return undefined;
    }
  }
}

/** The AG-UI view of an interrupt record. */
export function toInterrupt(record: InterruptRecord): Interrupt {
  return {
    id: record.id,
    reason: "tool_approval",
    message: `${record.tool} needs approval (${record.rule})`,
    toolCallId: record.toolCallId,
    expiresAt: record.expiresAt,
    metadata: {
      tool: record.tool,
      args: record.args,
      rule: record.rule,
      agent: record.agent,
      runId: record.runId,
    },
  };
}
