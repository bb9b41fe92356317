import { AgentryError } from "../spec/errors.ts";
import { ExitCode } from "../spec/exit-codes.ts";

/** A `[policy.redact].patterns` entry is not a valid regular expression. Exit 2. */
export class RedactPatternError extends AgentryError {
  override readonly name = "RedactPatternError";
  override readonly exitCode = ExitCode.usage;
}
