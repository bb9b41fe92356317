import type { RunEndEvent } from "../spec/events.ts";
import { RunLog } from "./run-log.ts";
import type { RunRecord } from "./server-state.ts";

/** One run the server started (a new run, or the continuation of an interrupted one). */
export interface ServerRun {
  id: string;
  threadId: string;
  agent: string;
  created: string;
  /** The agentry run id (audit log, `agentry approvals`); a continuation shares its origin's. */
  agentryRunId?: string;
  /** `queued`: a continuation waiting for another run of its thread to end. */
  status: "queued" | "running" | RunEndEvent["status"];
  summary?: RunEndEvent;
  /** The run that continued this one after its interrupts were decided. */
  continuedBy?: string;
  log: RunLog;
}

/** What a run and its saved record share: names and links, the optional ones only when set. */
function sharedFields(
  run: Pick<ServerRun, "id" | "threadId" | "agent" | "created" | "agentryRunId" | "continuedBy">,
) {
  return {
    id: run.id,
    threadId: run.threadId,
    agent: run.agent,
    created: run.created,
    ...(run.agentryRunId ? { agentryRunId: run.agentryRunId } : {}),
    ...(run.continuedBy ? { continuedBy: run.continuedBy } : {}),
  };
}

/** The saved form of a finished run. */
export function toRecord(run: ServerRun): RunRecord {
  return {
    ...sharedFields(run),
    status: run.status,
    frames: run.log.texts(),
    ...(run.summary ? { summary: run.summary as unknown as Record<string, unknown> } : {}),
  };
}

/** A saved run as the server shows it: its log complete, for replay. */
export function fromRecord(record: RunRecord): ServerRun {
  return {
    ...sharedFields(record),
    status: record.status as ServerRun["status"],
    log: new RunLog(record.id, record.frames, true),
    ...(record.summary ? { summary: record.summary as unknown as RunEndEvent } : {}),
  };
}
