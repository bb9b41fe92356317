import { randomHex } from "../digest/random.ts";

/** `<run>.<n>`: the form of sub-agent run ids (`subAgentRunId`). */
const SUB_AGENT_RUN_ID = /\.[0-9]+$/;

/**
 * The id of the `n`th sub-agent run (1-based) started under the top-level run `runId`:
 * `<runId>.<n>`, one counter per top-level run, grandchildren included.
 */
export function subAgentRunId(runId: string, n: number): string {
  return `${runId}.${n}`;
}

/**
 * Whether `runId` has the form of a sub-agent run id (`<run>.<n>`): a top-level run may not take
 * one, or it and another run's sub-agent could share one audit chain (a fork `audit verify` fails).
 */
export function isSubAgentRunId(runId: string): boolean {
  return SUB_AGENT_RUN_ID.test(runId);
}

/** The form of the ids `newRunId` makes. */
const GENERATED_RUN_ID = /^r[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$/;

/**
 * Whether `runId` has the form agentry generates (`newRunId`): the id of a CLI, batch, scheduled
 * or chat run, or of a library run without a chosen id, which a `serve` client must not take.
 */
export function isGeneratedRunId(runId: string): boolean {
  return GENERATED_RUN_ID.test(runId);
}

/** A sortable, unique run id: `r` + UTC timestamp + random suffix, e.g. `r20261123T204833-9f3a1c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "");
  return `r${stamp}-${randomHex(3)}`;
}
