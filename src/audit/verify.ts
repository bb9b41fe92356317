import { z } from "zod";
import { canonicalJson } from "./canonical-json.ts";
import { recordHash } from "./hash.ts";
import { auditLogLines } from "./log-lines.ts";
import { genesisOf } from "./records.ts";

/** Outcome of `verifyAuditFile`. `line` is 1-based; `warnings` name runs without a `run_end`. */
export type AuditVerification =
  | { ok: true; records: number; runs: number; warnings: string[] }
  | { ok: false; line: number; reason: string };

const RECORD_TYPES = ["run_start", "run_end", "tool_call", "approval", "policy_stop", "secret_use"] as const;

const storedRecord = z.looseObject({
  seq: z.number().int().positive(),
  ts: z.string(),
  run_id: z.string().min(1),
  agent: z.string(),
  type: z.enum(RECORD_TYPES),
  prev: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

interface RunState {
  seq: number;
  hash: string;
  lastType: string;
}

/**
 * Verifies an audit log line by line and reports the first bad line. Detected: an edited record
 * (hash mismatch), a removed or reordered record (seq gap or repeat within its run, or a `prev`
 * that is not the previous record's hash), a run whose first records were removed, a truncated or
 * non-JSON line, and any line that is not byte for byte the form the writer produces (an added,
 * duplicated or reordered member, `__proto__` included, or changed whitespace). Not detectable:
 * removal of a whole run, removal of a run's trailing records (reported as a warning when the run
 * then lacks `run_end`), and reordering of lines of different runs (each run's own order is what
 * the chain protects).
 */
export async function verifyAuditFile(path: string): Promise<AuditVerification> {
  const runs = new Map<string, RunState>();
  let lineNumber = 0;
  let records = 0;
  let blankAt = 0;
  for await (const line of auditLogLines(path)) {
    lineNumber += 1;
    if (line.trim() === "") {
      blankAt ||= lineNumber;
      continue;
    }
    if (blankAt)
      return { ok: false, line: blankAt, reason: "empty line inside the log (a record was blanked)" };
    const problem = checkLine(line, runs);
    if (problem) return { ok: false, line: lineNumber, reason: problem };
    records += 1;
  }
  const warnings: string[] = [];
  for (const [runId, state] of runs) {
    if (state.lastType !== "run_end") {
      warnings.push(
        `run ${runId} has no final run_end record (still running, crashed, or its trailing records were removed)`,
      );
    }
  }
  return { ok: true, records, runs: runs.size, warnings };
}

function checkLine(line: string, runs: Map<string, RunState>): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not valid JSON (truncated or corrupted record)";
  }
  const parsed = storedRecord.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `not an audit record (${issue ? `${issue.path.join(".") || "record"}: ${issue.message}` : "bad shape"})`;
  }
  const record = parsed.data;
  const hash = record.hash;
  const withoutHash = ownFieldsExcept(value as Record<string, unknown>, "hash");
  if (recordHash(record.prev, withoutHash) !== hash) return "hash mismatch: the record was modified";
  if (storedLine(withoutHash, hash) !== line) {
    return "the line is not the record's canonical form (a member was added, duplicated or reordered)";
  }
  const runId = record.run_id;
  const state = runs.get(runId);
  if (!state) {
    if (record.seq !== 1 || record.prev !== genesisOf(runId)) {
      return `run ${runId} starts at seq ${record.seq}: its earlier records were removed or moved after this line`;
    }
  } else if (record.seq > state.seq + 1) {
    return `run ${runId}: seq ${record.seq} follows seq ${state.seq}: a record was removed or reordered`;
  } else if (record.seq <= state.seq) {
    return `run ${runId}: seq ${record.seq} after seq ${state.seq}: a record was duplicated or reordered`;
  } else if (record.prev !== state.hash) {
    return `run ${runId}: prev does not match the hash of seq ${state.seq}: a record was replaced`;
  }
  runs.set(runId, { seq: record.seq, hash, lastType: record.type });
  return undefined;
}

/**
 * The parsed record's own members except `key`, in a null-prototype object: a `__proto__`,
 * `constructor` or `prototype` member stays a plain member that the hash and the line check see.
 */
function ownFieldsExcept(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const name of Object.keys(value)) if (name !== key) out[name] = value[name];
  return out;
}

/** The exact line the writer produces for a record: its canonical JSON with `hash` appended last. */
function storedLine(withoutHash: Record<string, unknown>, hash: string): string {
  return `${canonicalJson(withoutHash).slice(0, -1)},"hash":"${hash}"}`;
}
