import { isAbsolute, resolve } from "node:path";
import { hasReferences, interpolate } from "../config/interpolate.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { urlSecrets } from "../config/secret-values.ts";
import { ConfigError } from "../spec/errors.ts";
import type { Provider } from "../spec/model.ts";
import { ANTHROPIC_BASE_URL, anthropicProtocol } from "./anthropic/protocol.ts";
import { GEMINI_BASE_URL, geminiProtocol } from "./gemini/protocol.ts";
import { ConnectionPools } from "./http/dispatcher.ts";
import { referencedVariable } from "./http/redact.ts";
import type { WireProtocol } from "./http/wire-protocol.ts";
import { createHttpProvider } from "./http-provider.ts";
import { OLLAMA_BASE_URL, OPENAI_BASE_URL, openAiProtocol } from "./openai/protocol.ts";
import { loadCassette } from "./replay/cassette.ts";
import { createReplayProvider } from "./replay/replay-provider.ts";
import type { ProviderOptions } from "./types.ts";

/** The key variable each hosted kind reads when the config gives no `api_key`. */
export const DEFAULT_KEY_VARIABLE: Partial<Record<ProviderConfig["kind"], string>> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY",
};

function configIssue(options: ProviderOptions, path: string, message: string): ConfigError {
  return new ConfigError(
    [{ file: options.configFile ?? "configuration", path, message }],
    `${path}: ${message}`,
  );
}

function defaultBaseUrl(kind: ProviderConfig["kind"]): string | undefined {
  switch (kind) {
    case "openai":
      return OPENAI_BASE_URL;
    case "ollama":
      return OLLAMA_BASE_URL;
    case "anthropic":
      return ANTHROPIC_BASE_URL;
    case "gemini":
      return GEMINI_BASE_URL;
    default:
      return undefined;
  }
}

function replayProvider(id: string, config: ProviderConfig, options: ProviderOptions): Provider {
  if (!config.cassette)
    throw configIssue(options, `providers.${id}.cassette`, 'a replay provider needs cassette = "file.jsonl"');
  const file = isAbsolute(config.cassette)
    ? config.cassette
    : resolve(options.configDir ?? ".", config.cassette);
  try {
    return createReplayProvider(id, loadCassette(file));
  } catch (err) {
    throw configIssue(options, `providers.${id}.cassette`, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Builds the provider `id` from its config. `api_key` and `headers` are resolved now, so an
 * unset `${VAR}` is a ConfigError (exit 2) exactly when the provider is used; resolved values
 * go to `options.secrets`. Hosted kinds without `api_key` read their usual variable
 * (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY); `ollama` and `openai-compatible` send
 * no key unless one is configured.
 */
export function createProvider(id: string, config: ProviderConfig, options: ProviderOptions = {}): Provider {
  if (config.kind === "replay") return replayProvider(id, config, options);
  const env = options.env ?? process.env;
  const file = options.configFile ?? "configuration";
  const secrets: string[] = [];
  const defaultVariable = DEFAULT_KEY_VARIABLE[config.kind];
  const rawKey = config.api_key ?? (defaultVariable ? `\${${defaultVariable}}` : undefined);
  let apiKey: string | undefined;
  if (rawKey !== undefined) {
    const resolved = interpolate(rawKey, `providers.${id}.api_key`, env, file);
    apiKey = resolved.value || undefined;
    secrets.push(...(resolved.secrets.length ? resolved.secrets : apiKey ? [apiKey] : []));
  }
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(config.headers ?? {})) {
    const resolved = interpolate(raw, `providers.${id}.headers.${name}`, env, file);
    headers[name.toLowerCase()] = resolved.value;
    secrets.push(...resolved.secrets);
  }
  const rawBase = config.base_url ?? defaultBaseUrl(config.kind);
  if (!rawBase)
    throw configIssue(options, `providers.${id}.base_url`, `kind "${config.kind}" needs a base_url`);
  const baseUrl = interpolate(rawBase, `providers.${id}.base_url`, env, file).value;
  const fromVariables = hasReferences(rawBase);
  if (fromVariables) secrets.push(...urlSecrets(baseUrl, rawBase));
  if (secrets.length) options.secrets?.(secrets);
  let origin: string;
  try {
    origin = new URL(baseUrl).origin;
  } catch {
    const shown = fromVariables
      ? `${JSON.stringify(rawBase)} with its variables filled in`
      : JSON.stringify(baseUrl);
    throw configIssue(options, `providers.${id}.base_url`, `not a URL: ${shown}`);
  }
  const shared = { baseUrl, apiKey, headers, maxOutputTokens: config.max_output_tokens };
  let protocol: WireProtocol;
  switch (config.kind) {
    case "anthropic":
      protocol = anthropicProtocol(shared);
      break;
    case "gemini":
      protocol = geminiProtocol(shared);
      break;
    case "openai":
    case "openai-compatible":
    case "ollama":
      protocol = openAiProtocol({ ...shared, legacyMaxTokens: config.kind !== "openai" });
      break;
    default: {
      const unreachable: never = config.kind;
      throw configIssue(options, `providers.${id}.kind`, `unknown kind ${String(unreachable)}`);
    }
  }
  return createHttpProvider(
    {
      id,
      kind: config.kind,
      errors: { providerId: id, keyVariable: referencedVariable(rawKey), secrets },
      pools: options.pools ?? new ConnectionPools(),
      poolKey: config,
      origin,
      retries: config.retries,
      requestTimeoutMs: config.request_timeout,
      stallTimeoutMs: config.stall_timeout,
    },
    protocol,
    options,
  );
}
