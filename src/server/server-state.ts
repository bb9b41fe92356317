import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { readJsonIfExists, writeJsonAtomic } from "../state/json-file.ts";
import { acquireLock, processAlive } from "../state/run-lock.ts";

/** Run ids the server accepts from clients (and uses in file names). */
export const SERVER_RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;

const interruptSchema = z.object({
  id: z.string(),
  agentryRunId: z.string(),
  runId: z.string(),
  threadId: z.string(),
  agent: z.string(),
  toolCallId: z.string(),
  tool: z.string(),
  args: z.unknown(),
  rule: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

/** A pending approval as the server shows it: redacted arguments, the rule that asked, expiry. */
export type InterruptRecord = z.infer<typeof interruptSchema>;

const runRecordSchema = z.object({
  id: z.string(),
  threadId: z.string(),
  agent: z.string(),
  agentryRunId: z.string().optional(),
  created: z.string(),
  status: z.string(),
  summary: z.record(z.string(), z.unknown()).optional(),
  continuedBy: z.string().optional(),
  frames: z.array(z.string()),
});

/** A finished server run as saved on disk: its summary and every SSE frame, for replay. */
export type RunRecord = z.infer<typeof runRecordSchema>;

/**
 * The server's own files under `<state dir>/server/`: `interrupts.json` (pending interrupts with
 * their expiry, so they survive a restart) and `runs/<id>.json` (finished runs, for replay and
 * `GET /v1/runs/{id}` after a restart). Decisions themselves live in the deferred-run store.
 */
export class ServerState {
  constructor(private readonly stateDir: string) {}

  private path(...parts: string[]): string {
    return join(this.stateDir, "server", ...parts);
  }

  /** Saved interrupts; a corrupt file counts as none rather than stopping the server. */
  loadInterrupts(): InterruptRecord[] {
    const parsed = z.array(interruptSchema).safeParse(readJsonIfExists(this.path("interrupts.json")) ?? []);
    return parsed.success ? parsed.data : [];
  }

  /**
   * Makes this process the one server of the state dir (`server/serve.lock`, naming its pid and
   * host; a lock of a server that died is taken over), or throws a usage error naming the one
   * that runs. The interrupt list is rewritten whole by its server, and "one run per thread" and
   * "each run continues once" hold among one server's runs: a second server on the same state dir
   * would drop the first one's interrupts from `interrupts.json` and run beside it on its threads.
   * A lock written on another host or in another PID namespace (a container restarted after a
   * crash) cannot be judged from here: it is taken over, and `warn` says so. Returns the release
   * function.
   */
  lock(warn: (message: string) => void): () => void {
    mkdirSync(this.path(), { recursive: true, mode: 0o700 });
    const path = this.path("serve.lock");
    return acquireLock(path, `the state dir ${this.stateDir} (agentry serve)`, processAlive, (holder) =>
      warn(
        `${path} names ${holder}, which cannot be checked from here; taking it over. If that server still runs on this state dir, stop one of them`,
      ),
    );
  }

  saveInterrupts(records: readonly InterruptRecord[]): void {
    writeJsonAtomic(this.path("interrupts.json"), records);
  }

  saveRun(record: RunRecord): void {
    writeJsonAtomic(this.path("runs", `${record.id}.json`), record);
  }

  /** A saved run, or undefined (also for ids that cannot be file names). */
  loadRun(id: string): RunRecord | undefined {
    if (!SERVER_RUN_ID.test(id)) return undefined;
    const parsed = runRecordSchema.safeParse(readJsonIfExists(this.path("runs", `${id}.json`)));
    return parsed.success ? parsed.data : undefined;
  }
}
