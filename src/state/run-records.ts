import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { lazySchema } from "../lazy-zod/lazy-schema.ts";
import type { RunEvent, RunStatus, UsageTotals } from "../spec/events.ts";
import { readJsonIfExists, writeJsonAtomic } from "./json-file.ts";

/** Retention of run records when `[state]` leaves it unset. */
export const DEFAULT_RETENTION = { keepRuns: 100, keepDays: 30 } as const;

/** How many run records to keep: the newest `keepRuns`, none older than `keepDays`. `keepRuns = 0` records nothing. */
export interface Retention {
  keepRuns: number;
  keepDays: number;
}

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Built on first use (`lazySchema`): zod schemas cost start-up time in every run that never reads a run record back (docs/benchmarks/turns.md). */
const summarySchema = lazySchema((z) =>
  z.looseObject({
    run_id: z.string(),
    agent: z.string(),
    model: z.string(),
    status: z.enum(["running", "ok", "failed", "stopped", "awaiting_approval", "interrupted"]),
    started: z.string(),
    pid: z.number().int().optional(),
    ended: z.string().optional(),
    stop_reason: z.string().optional(),
    exit_code: z.number().int().optional(),
    duration_ms: z.number().optional(),
    turns: z.number().optional(),
    usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() }).optional(),
  }),
);

/** What `runs list` shows of one run: written when it starts (`running`) and again when it ends. */
export type RunSummary = z.infer<ReturnType<typeof summarySchema>>;

/** How a run ended, for its summary. */
export interface RunEnding {
  status: RunStatus;
  stopReason: string;
  exitCode: number;
  durationMs: number;
  turns: number;
  usage: UsageTotals;
}

/** Appends one run's events to its record as they happen and writes its summary at both ends. */
export interface RunRecorder {
  write(event: RunEvent): void;
  finish(ending: RunEnding): void;
}

/**
 * Run records under `<state>/records/`: `<id>.ndjson` holds the run's events (already redacted by the
 * event bus; streamed text is left out, the `message` events carry it whole) and `<id>.json` its
 * summary. Retention is applied when the first run of a runtime ends and after every `keepRuns`
 * further runs, so listing the directory is not paid per run, nor before a run's first model
 * request (start-up). It is applied while the ending run is still marked running, so that run
 * counts as going and is never pruned itself.
 */
export class RunRecords {
  private startedSincePrune = Number.POSITIVE_INFINITY;
  /** The queued-line writers of the records open now; written out if the process exits first. */
  private readonly unflushed = new Set<() => void>();
  private readonly flushAll = () => {
    for (const flush of this.unflushed) flush();
  };

  constructor(
    private readonly stateDir: string,
    private readonly retention: Retention = DEFAULT_RETENTION,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The directory holding the records. */
  get dir(): string {
    return join(this.stateDir, "records");
  }

  /** Starts (or, for a resumed run, continues) the record of a run; undefined when `keep_runs = 0`. */
  open(runId: string, start: { agent: string; model: string }): RunRecorder | undefined {
    if (this.retention.keepRuns <= 0 || !RUN_ID.test(runId)) return undefined;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const previous = this.summary(runId);
    const summary: RunSummary = {
      run_id: runId,
      agent: start.agent,
      model: start.model,
      status: "running",
      started: previous?.started ?? this.clock().toISOString(),
      pid: process.pid,
    };
    writeJsonAtomic(this.summaryPath(runId), summary);
    const prunes = this.startedSincePrune >= this.retention.keepRuns;
    if (prunes) this.startedSincePrune = 0;
    this.startedSincePrune += 1;
    let fd: number | undefined = openSync(this.eventsPath(runId), "a", 0o600);
    // Benchmark-driven (issue 13, `scripts/bench/turns.ts`): a turn's events (usage, tool call,
    // tool result, …) are queued and written in one write once the current work is done, like the
    // audit log's lines, instead of one write each on the way to the next model request. Written
    // out at the run's end, and by a process exit hook while any record has lines queued.
    let queued = "";
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      this.unflushed.delete(flush);
      if (this.unflushed.size === 0) process.off("exit", this.flushAll);
      if (fd === undefined || queued === "") return;
      const lines = queued;
      queued = "";
      try {
        writeSync(fd, lines);
      } catch {
        closeSync(fd);
        fd = undefined;
      }
    };
    return {
      write: (event) => {
        if (fd === undefined || event.type === "text_delta") return;
        queued += `${JSON.stringify(event)}\n`;
        if (scheduled) return;
        scheduled = true;
        if (this.unflushed.size === 0) process.on("exit", this.flushAll);
        this.unflushed.add(flush);
        setImmediate(flush);
      },
      finish: (ending) => {
        flush();
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        if (prunes) this.prune();
        const { pid: _pid, ...rest } = summary;
        writeJsonAtomic(this.summaryPath(runId), {
          ...rest,
          status: ending.status,
          ended: this.clock().toISOString(),
          stop_reason: ending.stopReason,
          exit_code: ending.exitCode,
          duration_ms: ending.durationMs,
          turns: ending.turns,
          usage: ending.usage,
        } satisfies RunSummary);
      },
    };
  }

  /** Every readable run summary, newest first. Unreadable files are skipped. */
  list(): RunSummary[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const summaries: RunSummary[] = [];
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const summary = this.summary(name.slice(0, -".json".length));
      if (summary) summaries.push(summary);
    }
    return summaries.sort((a, b) => (a.started < b.started ? 1 : a.started > b.started ? -1 : 0));
  }

  /** One run's summary, or undefined when there is no (valid) record of it. */
  summary(runId: string): RunSummary | undefined {
    if (!RUN_ID.test(runId)) return undefined;
    try {
      const raw = readJsonIfExists(this.summaryPath(runId));
      if (raw === undefined) return undefined;
      const parsed = summarySchema().safeParse(raw);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** One run's recorded events, in order; a torn last line (a run still writing) is left out. */
  events(runId: string): RunEvent[] {
    if (!RUN_ID.test(runId)) return [];
    let text: string;
    try {
      text = readFileSync(this.eventsPath(runId), "utf8");
    } catch {
      return [];
    }
    const events: RunEvent[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        events.push(JSON.parse(line) as RunEvent);
      } catch {
        // a line still being written
      }
    }
    return events;
  }

  /** Path of a run's event record. */
  eventsPath(runId: string): string {
    return join(this.dir, `${runId}.ndjson`);
  }

  /**
   * Deletes records beyond the newest `keepRuns` and those older than `keepDays`. Runs still going
   * (marked running by a live process, written to within `keepDays`) stay.
   */
  prune(): void {
    const cutoff = this.clock().getTime() - this.retention.keepDays * 86_400_000;
    const all = this.list();
    const finished = all.filter((run) => !runIsGoing(run) || this.isStale(run, cutoff));
    const keep = Math.max(0, this.retention.keepRuns - (all.length - finished.length));
    finished.forEach((run, index) => {
      if (index >= keep || Date.parse(run.ended ?? run.started) < cutoff) this.remove(run.run_id);
    });
  }

  private isStale(run: RunSummary, cutoff: number): boolean {
    try {
      return statSync(this.summaryPath(run.run_id)).mtimeMs < cutoff;
    } catch {
      return true;
    }
  }

  private remove(runId: string): void {
    rmSync(this.summaryPath(runId), { force: true });
    rmSync(this.eventsPath(runId), { force: true });
  }

  private summaryPath(runId: string): string {
    return join(this.dir, `${runId}.json`);
  }
}

/** Whether a run is still being written: marked running by a process that is alive. */
export function runIsGoing(summary: RunSummary | undefined): boolean {
  if (summary?.status !== "running" || summary.pid === undefined) return false;
  try {
    process.kill(summary.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
