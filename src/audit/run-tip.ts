import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** How much of the file one step reads, from the end backwards. */
const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const DOT = 0x2e;

/** What an audit log file holds of one run: the tip of its chain and its sub-agent runs. */
export interface RunTip {
  /** The highest `seq` of the run's own records, 0 when it has none. */
  seq: number;
  /** The `hash` of that record; undefined when the run has none (its chain starts at genesis). */
  hash: string | undefined;
  /** The highest `n` of its sub-agent runs `<runId>.<n>`, 0 for none. */
  subRuns: number;
}

/**
 * Finds a run's chain tip and highest sub-agent number by reading the audit log backwards from
 * its end, in chunks, and stops at the run's `run_start` line: every record of the run and of its
 * sub-agent runs comes after it, so deciding on a recent run reads only the log's tail, not the
 * whole file (`agentry serve` decides on the event loop). A log where the run has no `run_start`
 * is read to its start. Lines are cut at newline bytes, which never occur inside a multi-byte
 * UTF-8 character, and decoded whole. Corrupt lines are skipped (verify's business); only a
 * record's own top-level `run_id`, parsed, decides which run a line belongs to, never a nested
 * member such as a tool argument `{"run_id": …}`. Throws the file system's error (ENOENT for a
 * missing file); the caller decides what each means.
 */
export function findRunTip(path: string, runId: string, chunkBytes: number = CHUNK_BYTES): RunTip {
  const tip: RunTip = { seq: 0, hash: undefined, subRuns: 0 };
  const fd = openSync(path, "r");
  try {
    const needle = Buffer.from(`"run_id":${JSON.stringify(runId).slice(0, -1)}`, "utf8");
    const stat = fstatSync(fd);
    if (stat.isDirectory())
      throw Object.assign(new Error(`EISDIR: ${path} is a directory`), { code: "EISDIR" });
    let end = stat.size;
    /** The end of a line cut by the start of the chunk read last, in file order. */
    let carry: Buffer[] = [];
    while (end > 0) {
      const start = Math.max(0, end - chunkBytes);
      const chunk = readAt(fd, start, end - start);
      end = start;
      const first = start > 0 ? chunk.indexOf(NEWLINE) : -1;
      if (start > 0 && first < 0) {
        carry.unshift(chunk);
        continue;
      }
      const text = carry.length > 0 ? Buffer.concat([chunk, ...carry]) : chunk;
      carry = start > 0 ? [chunk.subarray(0, first)] : [];
      if (scanLines(text, first + 1, needle, runId, tip)) break;
    }
  } finally {
    closeSync(fd);
  }
  return tip;
}

/**
 * Reads the complete lines of `text` from `from` on, last first, into `tip`; true once it has
 * read the run's `run_start`. Only lines holding `"run_id":"<runId>"` or `"run_id":"<runId>.` are
 * parsed.
 */
function scanLines(text: Buffer, from: number, needle: Buffer, runId: string, tip: RunTip): boolean {
  const lines: number[] = [];
  let at = text.indexOf(needle, from);
  while (at >= 0) {
    const next = text[at + needle.length];
    if (next !== QUOTE && next !== DOT) {
      at = text.indexOf(needle, at + 1);
      continue;
    }
    const lineEnd = text.indexOf(NEWLINE, at);
    lines.push(text.lastIndexOf(NEWLINE, at) + 1, lineEnd < 0 ? text.length : lineEnd);
    if (lineEnd < 0) break;
    at = text.indexOf(needle, lineEnd);
  }
  for (let i = lines.length - 2; i >= 0; i -= 2) {
    let record: { seq?: unknown; hash?: unknown; run_id?: unknown; type?: unknown };
    try {
      record = JSON.parse(text.toString("utf8", lines[i], lines[i + 1]));
    } catch {
      continue;
    }
    if (record === null || typeof record !== "object") continue;
    if (record.run_id !== runId) {
      tip.subRuns = Math.max(tip.subRuns, subRunNumber(record.run_id, runId));
      continue;
    }
    if (typeof record.seq === "number" && typeof record.hash === "string" && record.seq > tip.seq) {
      tip.seq = record.seq;
      tip.hash = record.hash;
    }
    if (record.type === "run_start") return true;
  }
  return false;
}

/** `length` bytes of the file from `position` (fewer if it was cut short meanwhile). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}

/** The `n` of a record's `run_id` when it is the sub-agent run `<runId>.<n>`; 0 for any other. */
function subRunNumber(id: unknown, runId: string): number {
  if (typeof id !== "string" || !id.startsWith(`${runId}.`)) return 0;
  const suffix = id.slice(runId.length + 1);
  return /^[1-9]\d{0,8}$/.test(suffix) ? Number(suffix) : 0;
}
