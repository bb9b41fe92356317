import { AgentryError } from "../../src/spec/errors.ts";

/**
 * A release step failed for a reason outside the configuration: a missing tool (GNU tar, gzip),
 * a failed compile, an unreadable or non-ed25519 signing key, an output directory that is not
 * ours to replace. `data.step` names the step.
 */
export class ReleaseError extends AgentryError {
  override readonly name = "ReleaseError";
}
