import { AgentryError } from "../spec/errors.ts";
import { ExitCode } from "../spec/exit-codes.ts";

/**
 * Run state failed its integrity check (a MAC under the state key, or the seal): it was forged,
 * altered, or written without protection. Nothing in it is executed. Exit 3.
 */
export class StateIntegrityError extends AgentryError {
  override readonly name = "StateIntegrityError";
  override readonly exitCode = ExitCode.policy;

  constructor(runId: string, reason: string) {
    super(`deferred run ${runId} failed its integrity check: ${reason}; refusing to use it`, {
      run_id: runId,
    });
  }
}
