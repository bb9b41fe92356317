import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { IsoStamp } from "../clock/iso-stamp.ts";
import { sha256Hex } from "../digest/index.ts";
import { AgentryError } from "../spec/errors.ts";
import { ExitCode } from "../spec/exit-codes.ts";
import { sortKeys, sortStrings } from "./canonical-json.ts";
import { type AuditRecordInput, genesisOf } from "./records.ts";
import { findRunTip } from "./run-tip.ts";

/**
 * An append-only, hash-chained audit log (SPEC §9). `append` is synchronous and cheap: it chains
 * the record and queues its line, which is the record's canonical JSON (sorted keys, the form the
 * hash covers) with `hash` added last; queued lines are written on the next macrotask
 * (or at once past 64 KiB) in one `write` on an `O_APPEND` descriptor, so a line is never split
 * or interleaved with another writer's. Call `flush` at run end and `flushSync` from signal handlers;
 * an `exit` hook flushes whatever is still queued.
 */
export interface AuditLog {
  readonly path: string;
  /**
   * Chains and queues one record. The record is left as it is, unless it holds the `prev`, `seq`
   * and `ts` slots with its keys in sorted order: such a record is handed over to the log, which
   * completes it in place (the audit layer builds its `tool_call` records so).
   */
  append(record: AuditRecordInput): void;
  /** Writes every queued line. Rejects with `AuditWriteError` if a write failed. */
  flush(): Promise<void>;
  /** Synchronous `flush` for signal and exit handlers. */
  flushSync(): void;
  /**
   * The write failure that stopped this log, if any (it sticks: lines of a failed write are lost,
   * so the chain cannot be continued soundly). Before the file's first write, opens it and writes
   * the queued lines now, so a log that cannot be written at all is found before the first tool
   * call runs rather than a macrotask later. A closed log answers that it is closed. The audit
   * layer refuses every call while this returns an error.
   */
  writeFailure(): AuditWriteError | undefined;
  /** Flushes and closes the file; later appends throw. */
  close(): Promise<void>;
  /**
   * Loads the chain of a run recorded earlier (a resumed run, a decision on a deferred run) from
   * the file, after writing this log's queued lines: also when this log holds the run's chain,
   * since another process (`agentry approvals`, `agentry resume`) may have added to it since. A
   * log that cannot be read fails here, before any tool executes, instead of forking the chain.
   * Returns the highest `n` of the sub-agent runs (`<runId>.<n>`) the log holds for it, 0 for
   * none, so a resumed run numbers its next sub-agents after them. Throws `AuditReadError`.
   */
  continueChain(runId: string): number;
}

export interface AuditLogOptions {
  /** Wall clock for `ts`; injectable for tests. */
  clock?: () => Date;
}

/** Writing to the audit log failed (disk full, permissions) or the log was used after `close`. */
export class AuditWriteError extends AgentryError {
  override readonly name = "AuditWriteError";
}

/**
 * An existing audit log could not be read to continue a run's chain (permissions, a directory,
 * an I/O error). Only a missing file starts a new chain; anything else stops the run (exit 2).
 */
export class AuditReadError extends AgentryError {
  override readonly name = "AuditReadError";
  override readonly exitCode = ExitCode.usage;
}

const EAGER_FLUSH_BYTES = 64 * 1024;
const RESERVED = new Set(["seq", "ts", "prev", "hash"]);

/**
 * The stored record without `hash`, its keys in sorted order at every depth, so that
 * `JSON.stringify` of it is its canonical JSON. A record whose keys come in sorted order and that
 * holds the `prev`, `seq` and `ts` slots (the audit layer builds its records so, for the log to
 * take over) is completed in place: its slots filled, its nested values sorted; one in sorted order
 * without them is copied in one pass that slots them in; any other is sorted into a copy.
 */
function canonicalBody(
  record: AuditRecordInput,
  prev: string,
  seq: number,
  ts: string,
): Record<string, unknown> {
  let last = "";
  let slots = 0;
  for (const key in record) {
    if (key < last || key === "hash" || key === "__proto__") return sortedBody(record, prev, seq, ts);
    last = key;
    if (key === "prev" || key === "seq" || key === "ts") slots += 1;
  }
  if (slots === 3) {
    const body = record as unknown as Record<string, unknown>;
    body["prev"] = prev;
    body["seq"] = seq;
    body["ts"] = ts;
    for (const key in body) {
      const value = body[key];
      if (value !== null && typeof value === "object") body[key] = sortKeys(value);
    }
    return body;
  }
  if (slots > 0) return sortedBody(record, prev, seq, ts);
  const body: Record<string, unknown> = {};
  let reserved = 0;
  for (const key in record) {
    while (reserved < 3 && (RESERVED_ORDER[reserved] as string) < key) {
      body[RESERVED_ORDER[reserved] as string] = reserved === 0 ? prev : reserved === 1 ? seq : ts;
      reserved += 1;
    }
    body[key] = sortKeys(record[key]);
  }
  if (reserved < 1) body["prev"] = prev;
  if (reserved < 2) body["seq"] = seq;
  if (reserved < 3) body["ts"] = ts;
  return body;
}

const RESERVED_ORDER = ["prev", "seq", "ts"] as const;

function sortedBody(
  record: AuditRecordInput,
  prev: string,
  seq: number,
  ts: string,
): Record<string, unknown> {
  const keys = ["prev", "seq", "ts"];
  for (const key in record) if (!RESERVED.has(key)) keys.push(key);
  sortStrings(keys);
  const body: Record<string, unknown> = Object.create(null);
  for (const key of keys) {
    body[key] = key === "prev" ? prev : key === "seq" ? seq : key === "ts" ? ts : sortKeys(record[key]);
  }
  return body;
}

interface Chain {
  seq: number;
  prev: string;
}

/**
 * Opens (creating it and its directory, mode 0600) the audit log at `path`. Each run has its own
 * chain: its first record has `prev = "genesis:<run_id>"` and `seq = 1`. A record for a run this
 * process has not seen, other than `run_start`, continues that run's chain from the file, so a run
 * resumed in another process (`agentry resume`) stays verifiable; it must not append a second
 * `run_start`. A run's chain is held in memory only until its `run_end` line is written: a
 * long-lived runtime (`serve`, workers) does not grow with every run it ever audited, and a record
 * that comes later (an approval of a deferred run, a resume) continues the chain from the file.
 */
export function openAuditLog(path: string, options: AuditLogOptions = {}): AuditLog {
  return new FileAuditLog(path, options.clock);
}

class FileAuditLog implements AuditLog {
  private readonly chains = new Map<string, Chain>();
  /** Runs whose `run_end` is queued: their chains are let go once the queued lines are written. */
  private ended: string[] = [];
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private fd: number | undefined;
  private closed = false;
  private failure: AuditWriteError | undefined;
  private readonly onExit = () => this.drain();
  private readonly stamp = new IsoStamp();

  constructor(
    readonly path: string,
    private readonly clock: (() => Date) | undefined,
  ) {
    process.on("exit", this.onExit);
  }

  append(record: AuditRecordInput): void {
    if (this.closed) throw new AuditWriteError("audit log is closed", { path: this.path });
    const chain = this.chainOf(record.run_id, record.type);
    const seq = chain.seq + 1;
    const body = canonicalBody(record, chain.prev, seq, this.timestamp());
    const canonical = JSON.stringify(body);
    const hash = sha256Hex(chain.prev + canonical);
    chain.seq = seq;
    chain.prev = hash;
    if (record.type === "run_end") this.ended.push(record.run_id);
    const line = `${canonical.slice(0, -1)},"hash":"${hash}"}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= EAGER_FLUSH_BYTES) this.drain();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** `ts` of a record: the injected clock's time, else the current millisecond (`IsoStamp`). */
  private timestamp(): string {
    return this.clock ? this.clock().toISOString() : this.stamp.now();
  }

  flush(): Promise<void> {
    this.drain();
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }

  flushSync(): void {
    this.drain();
    if (this.failure) throw this.failure;
  }

  writeFailure(): AuditWriteError | undefined {
    if (this.closed) return this.failure ?? new AuditWriteError("audit log is closed", { path: this.path });
    if (this.fd === undefined && !this.failure) {
      if (this.pending.length > 0) this.drain();
      else this.attempt(() => this.openFile());
    }
    return this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.drain();
    this.closed = true;
    process.off("exit", this.onExit);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.failure) throw this.failure;
  }

  continueChain(runId: string): number {
    this.drain();
    const found = this.scan(runId);
    this.chains.set(runId, found.chain);
    return found.subRuns;
  }

  private chainOf(runId: string, type: string): Chain {
    let chain = this.chains.get(runId);
    if (!chain) {
      chain = type === "run_start" ? { seq: 0, prev: genesisOf(runId) } : this.scan(runId).chain;
      this.chains.set(runId, chain);
    }
    return chain;
  }

  /**
   * Forgets the chains of runs whose `run_end` is now in the file. A chain that took another record
   * after its `run_end` (still queued, or written with it) is dropped too: its tip is in the file.
   */
  private releaseEndedChains(): void {
    if (this.ended.length === 0) return;
    for (const runId of this.ended) this.chains.delete(runId);
    this.ended = [];
  }

  /**
   * Reads the file for a run: the tip of its chain (genesis when it has no record) and the highest
   * `n` of its sub-agent runs `<runId>.<n>`, from the file's end back to the run's `run_start`
   * (`findRunTip`).
   */
  private scan(runId: string): { chain: Chain; subRuns: number } {
    try {
      const tip = findRunTip(this.path, runId);
      return {
        chain: tip.hash === undefined ? { seq: 0, prev: genesisOf(runId) } : { seq: tip.seq, prev: tip.hash },
        subRuns: tip.subRuns,
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { chain: { seq: 0, prev: genesisOf(runId) }, subRuns: 0 };
      throw new AuditReadError(
        `cannot read audit log ${this.path} to continue run ${runId}: ${code ?? (err as Error).message}`,
        {
          path: this.path,
          hint: "fix the file's permissions or [audit].path; a new chain would hide the run's history",
        },
      );
    }
  }

  private drain(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending.join(""), "utf8");
    this.pending = [];
    this.pendingBytes = 0;
    this.attempt(() => {
      const fd = this.openFile();
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      this.releaseEndedChains();
    });
  }

  /** The file's descriptor, opened (and its folder made) on first use. */
  private openFile(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.path, "a", 0o600);
    }
    return this.fd;
  }

  /** Runs a write step; its error becomes the log's sticky `failure` (the first one is kept). */
  private attempt(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.failure ??= new AuditWriteError(`cannot write audit log ${this.path}: ${(err as Error).message}`, {
        path: this.path,
      });
    }
  }
}
