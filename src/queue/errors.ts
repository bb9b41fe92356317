import { AgentryError } from "../spec/errors.ts";
import { ExitCode } from "../spec/exit-codes.ts";

/**
 * The queue's Redis/Valkey could not be reached or refused the connection (wrong password, not a
 * Redis). Exit 4, like an unreachable provider. The message names the queue by its redacted URL.
 */
export class QueueUnavailableError extends AgentryError {
  override readonly name = "QueueUnavailableError";
  override readonly exitCode = ExitCode.provider;
}

/** No job with that id in the queue (never submitted, or removed). Exit 2. */
export class UnknownJobError extends AgentryError {
  override readonly name = "UnknownJobError";
  override readonly exitCode = ExitCode.usage;
}

/** BullMQ failed a job without a stored result (its workers died more often than allowed). */
export class JobFailedError extends AgentryError {
  override readonly name = "JobFailed";
}
