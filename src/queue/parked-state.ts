import { canonicalJson } from "../audit/canonical-json.ts";
import { interpolate } from "../config/interpolate.ts";
import type { QueueConfig } from "../config/schema.ts";
import { sha256Hex } from "../digest/index.ts";
import { UsageError } from "../spec/errors.ts";
import { type StateKey, stateKeyFromSecret } from "../state/state-key.ts";
import type { ParkedJob } from "./job-store.ts";

/** A `[queue] state_secret` shorter than this is refused: it must be random, not a password. */
const MIN_SECRET_CHARS = 32;

/**
 * How a parked run's raw state (conversation, tool outputs, exact call arguments) is kept in
 * Redis: in plain text, or, with `[queue] state_secret` (the same on every worker of the queue),
 * sealed with AES-256-GCM under a key derived from it and bound to the job, the run and the
 * parked job's readable part (the deferred run's agent, request, usage… and the pending calls
 * shown to deciders), so that a reader of Redis cannot read it and a writer cannot alter any of it
 * or move it to another job: the worker that resumes would otherwise take the readable part as it
 * finds it (another agent, a raised budget, other instructions) and sign it as its own.
 */
export interface ParkedStateCodec {
  /** What a parked job stores for its raw state. */
  store(parked: ParkedBinding, state: Record<string, unknown>): Pick<ParkedJob, "state" | "state_sealed">;
  /**
   * The raw state back. Throws when it cannot be opened: sealed under another secret or altered,
   * sealed while this worker has no secret, or stored in plain text while this worker has one.
   */
  open(parked: ParkedJob): Record<string, unknown>;
}

/** The codec of `[queue] state_secret` (`${VAR}` resolved from `env`); plain text without one. */
export function parkedStateCodec(
  config: QueueConfig | undefined,
  env: Record<string, string | undefined> = process.env,
): ParkedStateCodec {
  const secret =
    config?.state_secret === undefined
      ? undefined
      : interpolate(config.state_secret, "queue.state_secret", env).value;
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS)
    throw new UsageError(`[queue] state_secret: expected at least ${MIN_SECRET_CHARS} random characters`, {
      hint: "generate one with: openssl rand -base64 32",
    });
  const key: StateKey | undefined = secret === undefined ? undefined : stateKeyFromSecret(secret);
  return {
    store: (parked, state) =>
      key ? { state_sealed: key.seal(JSON.stringify(state), sealContext(parked)) } : { state },
    open: (parked) => {
      if (!key) {
        if (parked.state) return parked.state;
        throw new Error(
          "the parked run's state is sealed: this worker needs the queue's [queue] state_secret",
        );
      }
      const plain =
        parked.state_sealed === undefined ? undefined : key.unseal(parked.state_sealed, sealContext(parked));
      if (plain === undefined)
        throw new Error(
          parked.state_sealed === undefined
            ? "the parked run's state is not sealed, but this worker has [queue] state_secret: refused"
            : "the parked run's state cannot be opened: sealed under another [queue] state_secret, or altered",
        );
      return JSON.parse(plain) as Record<string, unknown>;
    },
  };
}

/** What of a parked job its seal covers besides the raw state. */
export type ParkedBinding = Pick<ParkedJob, "job_id" | "run_id" | "run" | "pending">;

/** The seal's associated data: the job, the run, and a digest of the readable part. */
function sealContext(parked: ParkedBinding): string {
  const readable = sha256Hex(canonicalJson({ run: parked.run, pending: parked.pending }));
  return `queue-parked:${parked.job_id}:${parked.run_id}:${readable}`;
}
