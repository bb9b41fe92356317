import { interpolate } from "../config/interpolate.ts";
import type { QueueConfig } from "../config/schema.ts";
import { UsageError } from "../spec/errors.ts";
import { type StateKey, stateKeyFromSecret } from "../state/state-key.ts";
import type { ParkedJob } from "./job-store.ts";

/** A `[queue] state_secret` shorter than this is refused: it must be random, not a password. */
const MIN_SECRET_CHARS = 32;

/**
 * How a parked run's raw state (conversation, tool outputs, exact call arguments) is kept in
 * Redis: in plain text, or, with `[queue] state_secret` (the same on every worker of the queue),
 * sealed with AES-256-GCM under a key derived from it and bound to the job and run, so that a
 * reader of Redis cannot read it and a writer cannot alter it or move it to another job.
 */
export interface ParkedStateCodec {
  /** What a parked job stores for its raw state. */
  store(
    ids: { job_id: string; run_id: string },
    state: Record<string, unknown>,
  ): Pick<ParkedJob, "state" | "state_sealed">;
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
  const context = (ids: { job_id: string; run_id: string }) => `queue-parked:${ids.job_id}:${ids.run_id}`;
  return {
    store: (ids, state) =>
      key ? { state_sealed: key.seal(JSON.stringify(state), context(ids)) } : { state },
    open: (parked) => {
      if (!key) {
        if (parked.state) return parked.state;
        throw new Error(
          "the parked run's state is sealed: this worker needs the queue's [queue] state_secret",
        );
      }
      const plain =
        parked.state_sealed === undefined ? undefined : key.unseal(parked.state_sealed, context(parked));
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
