import type { Clock } from "../spec/clock.ts";
import type { FallbackInfo, ModelEvent, ModelRequest, RetryInfo } from "../spec/model.ts";
import type { ConnectionPools } from "./http/dispatcher.ts";
import type { CassetteWriter } from "./replay/record.ts";

/**
 * Time as the provider layer sees it: the one `Clock` (src/spec/clock.ts). Backoff sleeps go
 * through `sleep`, request and stall timers through `setTimeout`, and `Retry-After` HTTP dates are
 * compared with `epochMs`, so tests inject a clock and never wait for real.
 */
export type { Clock, FallbackInfo, RetryInfo };

/**
 * Process-level knobs for providers. Everything is optional; the defaults are the real clock,
 * `Math.random`, `process.env` and no callbacks.
 */
export interface ProviderOptions {
  clock?: Clock;
  /** A source of uniform numbers in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Environment used to resolve `${VAR}` in `api_key` and `headers`. */
  env?: Record<string, string | undefined>;
  /** Called before each retry sleep. */
  onRetry?: (info: RetryInfo) => void;
  /** Called when `openModel` moves on to a fallback model. */
  onFallback?: (info: FallbackInfo) => void;
  /** Receives every secret value resolved from `${VAR}` so the redactor can hide it. */
  secrets?: (values: string[]) => void;
  /** `--replay FILE`: every model opened with these options plays this cassette instead. */
  replayFile?: string;
  /** `--record FILE`: the model opened with these options writes its turns to a new cassette there. */
  recordFile?: string;
  /** A cassette already being written, shared by several models (a runtime's `--record`); wins over `recordFile`. */
  record?: CassetteWriter;
  /**
   * Redacts what a cassette stores (`--record`), so recorded prompts and model output hold
   * placeholders instead of secret values (replay matches placeholders against any text).
   */
  redact?: (text: string) => string;
  /** Directory that relative `cassette` paths in the config are resolved against (default: cwd). */
  configDir?: string;
  /** Name of the config file, used in ConfigError issues. */
  configFile?: string;
  /**
   * Keep-alive pools shared by every model opened with them (a runtime's); without, each
   * provider gets its own.
   */
  pools?: ConnectionPools;
}

/**
 * A model ready to use: a provider bound to one model name, with fallbacks, replay and
 * recording already applied. `stream` follows the `Provider` contract: it never throws and
 * ends with exactly one `finish` or `error` event.
 */
export interface ModelHandle {
  /** `provider/model` as requested, e.g. `openai/gpt-4.1-mini`; `replay/<recorded ref>` when replaying. */
  readonly ref: string;
  readonly providerId: string;
  readonly model: string;
  stream(request: Omit<ModelRequest, "model">): AsyncIterable<ModelEvent>;
}
