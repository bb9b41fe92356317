import { basename } from "node:path";
import { namedEntry } from "../config/named-entry.ts";
import type { Config } from "../config/schema.ts";
import { AgentryError, ConfigError, type ProviderError, UsageError } from "../spec/errors.ts";
import type { ModelEvent, Provider } from "../spec/model.ts";
import { createProvider } from "./create-provider.ts";
import { loadCassette } from "./replay/cassette.ts";
import { createCassetteWriter, recordModel } from "./replay/record.ts";
import { createReplayProvider } from "./replay/replay-provider.ts";
import type { ModelHandle, ProviderOptions } from "./types.ts";

export { type CollectedTurn, collectTurn } from "./collect-turn.ts";
export { createProvider } from "./create-provider.ts";
export { type CassetteWriter, createCassetteWriter, recordModel } from "./replay/record.ts";
export type { Clock, FallbackInfo, ModelHandle, ProviderOptions, RetryInfo } from "./types.ts";

/** Splits `provider/model` at the first slash; the model part may itself contain slashes. */
export function parseModelRef(ref: string): { providerId: string; model: string } {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) {
    throw new UsageError(`invalid model "${ref}": expected "provider/model", e.g. "openai/gpt-4.1-mini"`);
  }
  return { providerId: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

function bind(provider: Provider, ref: string, model: string): ModelHandle {
  return {
    ref,
    providerId: provider.id,
    model,
    stream: (request) => provider.stream({ ...request, model }),
  };
}

function openDirect(config: Config, ref: string, options: ProviderOptions): ModelHandle {
  const { providerId, model } = parseModelRef(ref);
  const providerConfig = namedEntry(config.providers, providerId);
  if (!providerConfig) {
    const known = Object.keys(config.providers ?? {});
    throw new ConfigError(
      [
        {
          file: options.configFile ?? "configuration",
          path: `providers.${providerId}`,
          message: `model "${ref}" names provider "${providerId}", which is not configured`,
          expected: known.length ? `one of ${known.join(", ")}` : "a [providers.*] table",
          found: providerId,
        },
      ],
      `unknown provider "${providerId}" in model "${ref}"`,
    );
  }
  return bind(createProvider(providerId, providerConfig, options), ref, model);
}

/** Failures worth trying the next fallback model for: the model was busy or unreachable. Never auth. */
export function shouldFallBack(error: ProviderError): boolean {
  return error.retryable && error.kind !== "auth" && error.kind !== "aborted";
}

function withFallbacks(config: Config, primary: ModelHandle, options: ProviderOptions): ModelHandle {
  const chain = namedEntry(config.providers, primary.providerId)?.fallback ?? [];
  if (chain.length === 0) return primary;
  return {
    ref: primary.ref,
    providerId: primary.providerId,
    model: primary.model,
    async *stream(request): AsyncGenerator<ModelEvent> {
      let current = primary;
      let lastError: ProviderError | undefined;
      for (let i = 0; i <= chain.length; i++) {
        let yielded = false;
        let failure: ProviderError | undefined;
        for await (const event of current.stream(request)) {
          if (event.type === "error" && !yielded && shouldFallBack(event.error) && i < chain.length) {
            failure = event.error;
            break;
          }
          yielded = true;
          yield event;
        }
        if (!failure) return;
        lastError = failure;
        let next: ModelHandle | undefined;
        while (!next && i < chain.length) {
          const ref = chain[i] as string;
          try {
            next = openDirect(config, ref, options);
            const info = { from: current.ref, to: ref, error: failure };
            options.onFallback?.(info);
            request.onFallback?.(info);
          } catch (err) {
            if (!(err instanceof AgentryError)) throw err;
            i++;
          }
        }
        if (!next) break;
        current = next;
      }
      if (lastError) yield { type: "error", error: lastError };
    },
  };
}

/**
 * Opens `provider/model` from the config, ready to stream. Applies, in order:
 * `options.replayFile` (plays that cassette instead of any model; `ref` becomes
 * `replay/<recorded model>`), the provider's `fallback` models (tried in order when a model
 * fails before yielding anything with a retryable error — busy, overloaded, unreachable,
 * timed out; never on rejected credentials, bad requests or cancellation; a fallback whose
 * config cannot be resolved, e.g. an unset key variable, is skipped), and
 * `options.record` or `options.recordFile` (writes every turn to that cassette).
 * Throws ConfigError for an unknown provider or an unset `${VAR}` of the primary provider,
 * UsageError for a malformed ref or an unreadable `--replay` cassette.
 */
export function openModel(config: Config, ref: string, options: ProviderOptions = {}): ModelHandle {
  let handle: ModelHandle;
  if (options.replayFile) {
    let cassette: ReturnType<typeof loadCassette>;
    try {
      cassette = loadCassette(options.replayFile);
    } catch (err) {
      throw new UsageError(`cannot replay: ${err instanceof Error ? err.message : String(err)}`);
    }
    const recorded = cassette.model ?? basename(options.replayFile);
    handle = bind(createReplayProvider("replay", cassette), `replay/${recorded}`, recorded);
  } else {
    handle = withFallbacks(config, openDirect(config, ref, options), options);
  }
  const writer =
    options.record ?? (options.recordFile ? createCassetteWriter(options.recordFile) : undefined);
  return writer ? recordModel(handle, writer, options.redact) : handle;
}
