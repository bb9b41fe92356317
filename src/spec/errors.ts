import { ExitCode, type ExitCodeValue } from "./exit-codes.ts";

/** The serialisable form of every agentry error: what goes into events, audit records and JSON output. */
export interface SerializedError {
  name: string;
  message: string;
  data: Record<string, unknown>;
}

/**
 * Base of all named errors. `exitCode` says how the CLI ends when the error reaches it;
 * `data` holds structured, secret-free facts about the failure.
 */
export class AgentryError extends Error {
  override readonly name: string = "AgentryError";
  readonly exitCode: ExitCodeValue = ExitCode.agentFailed;
  readonly data: Record<string, unknown>;

  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.data = data;
  }

  toJSON(): SerializedError {
    return { name: this.name, message: this.message, data: this.data };
  }
}

/** One problem found in a configuration file; see `ConfigError`. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted key path, e.g. `agents.ops.policy.loop.max_repeats`. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
  suggestion?: string;
}

/** The configuration is invalid; carries every issue found, not just the first. Exit 2. */
export class ConfigError extends AgentryError {
  override readonly name = "ConfigError";
  override readonly exitCode = ExitCode.usage;
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], message = `configuration has ${issues.length} problem(s)`) {
    super(message, { issues });
    this.issues = issues;
  }
}

/** Bad command-line usage (unknown agent, bad flag value, unreadable prompt file). Exit 2. */
export class UsageError extends AgentryError {
  override readonly name = "UsageError";
  override readonly exitCode = ExitCode.usage;
}

/** A command or option whose capability this build does not have yet. Exit 2. */
export class CapabilityUnavailableError extends AgentryError {
  override readonly name = "CapabilityUnavailableError";
  override readonly exitCode = ExitCode.usage;
}

/** Why a provider call failed, as far as retry and exit-code decisions care. */
export type ProviderErrorKind =
  | "auth"
  | "rate_limit"
  | "overloaded"
  | "server"
  | "timeout"
  | "stall"
  | "network"
  | "bad_request"
  | "not_found"
  | "protocol"
  | "aborted"
  | "replay_divergence";

/**
 * A model provider failed. `retryable` is derived from the HTTP status or failure kind
 * (408, 409, 429, 5xx, 529, connection resets, timeouts). Exit 4 for unreachable or rejected
 * credentials; 1 for protocol errors and replay divergence.
 */
export class ProviderError extends AgentryError {
  override readonly name: string = "ProviderError";
  override readonly exitCode: ExitCodeValue;
  readonly retryable: boolean;
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  /** Milliseconds the server asked us to wait (Retry-After, Gemini RetryInfo). */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    opts: {
      provider: string;
      kind: ProviderErrorKind;
      status?: number;
      retryable?: boolean;
      retryAfterMs?: number;
      data?: Record<string, unknown>;
      cause?: unknown;
    },
  ) {
    super(
      message,
      {
        provider: opts.provider,
        kind: opts.kind,
        status: opts.status,
        ...(opts.retryAfterMs !== undefined ? { retry_after_ms: opts.retryAfterMs } : {}),
        ...opts.data,
      },
      { cause: opts.cause },
    );
    this.kind = opts.kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.retryable = opts.retryable ?? isRetryableKind(opts.kind);
    this.exitCode =
      opts.kind === "protocol" || opts.kind === "replay_divergence" || opts.kind === "bad_request"
        ? ExitCode.agentFailed
        : ExitCode.provider;
  }
}

function isRetryableKind(kind: ProviderErrorKind): boolean {
  return (
    kind === "rate_limit" ||
    kind === "overloaded" ||
    kind === "server" ||
    kind === "timeout" ||
    kind === "stall" ||
    kind === "network"
  );
}

/** Whether an HTTP status should be retried (408, 409, 429, 5xx including 529). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** A run was stopped by governance: budget exhausted, approval denied where it cannot continue. Exit 3. */
export class PolicyStopError extends AgentryError {
  override readonly name = "PolicyStopError";
  override readonly exitCode = ExitCode.policy;
}

/** The run was interrupted (SIGINT/SIGTERM). Exit 130. */
export class InterruptedError extends AgentryError {
  override readonly name = "InterruptedError";
  override readonly exitCode = ExitCode.interrupted;
}

/** Serialises any thrown value without leaking stack traces or non-enumerable junk. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof AgentryError) return err.toJSON();
  if (err instanceof Error) return { name: err.name, message: err.message, data: {} };
  return { name: "Error", message: String(err), data: {} };
}
