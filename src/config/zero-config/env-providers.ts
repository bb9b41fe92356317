/**
 * The built-in providers of zero-config mode (no configuration file): which ones the usual
 * environment variables make available, and the model each uses when none is named.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** A provider made available by the environment; keys stay variable names, never values. */
export interface EnvProvider {
  /** The provider id in model references (`openai/gpt-4.1-mini`). */
  id: "openai" | "anthropic" | "gemini" | "ollama";
  kind: "openai" | "anthropic" | "gemini" | "ollama";
  /** The variable holding the API key (`OPENAI_API_KEY`); ollama has none. */
  keyVariable?: string;
  /** The variable holding a base URL override, when it is set (`OPENAI_BASE_URL`). */
  baseUrlVariable?: string;
  /** A literal base URL (ollama's, derived from `OLLAMA_HOST`, which is a host, not a URL). */
  baseUrl?: string;
  /** The model used when neither `--model` nor `AGENTRY_MODEL` names one; none for ollama. */
  defaultModel?: string;
}

/** The model a hosted provider uses when no model is named: a current, inexpensive one. */
export const DEFAULT_MODELS = {
  openai: "gpt-4.1-mini",
  anthropic: "claude-sonnet-4-5",
  gemini: "gemini-2.5-flash",
} as const;

/** Every id zero-config mode knows, in the order they are listed and preferred. */
export const BUILTIN_PROVIDER_IDS = ["openai", "anthropic", "gemini", "ollama"] as const;

/** The variables that make each built-in provider available, for messages. */
export const PROVIDER_VARIABLES: Record<EnvProvider["id"], string> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
  gemini: "GEMINI_API_KEY or GOOGLE_API_KEY",
  ollama: "OLLAMA_HOST",
};

const set = (env: Env, name: string) => (env[name] ?? "") !== "";

/**
 * `OLLAMA_HOST` as the ollama CLI reads it (`host`, `host:port`, `http://host:port`), turned into
 * the OpenAI-compatible base URL (`http://host:11434/v1`).
 */
export function ollamaBaseUrl(host: string): string {
  const trimmed = host.trim().replace(/\/+$/, "");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `${withScheme}/v1`;
  }
  if (url.port === "" && url.protocol === "http:" && !/:\d+$/.test(url.host)) url.port = "11434";
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}/v1`;
}

/**
 * The providers the environment makes available, in `BUILTIN_PROVIDER_IDS` order:
 * `OPENAI_API_KEY` (+ `OPENAI_BASE_URL`), `ANTHROPIC_API_KEY` (+ `ANTHROPIC_BASE_URL`),
 * `GEMINI_API_KEY` or `GOOGLE_API_KEY` (+ `GEMINI_BASE_URL`; when both are set `GOOGLE_API_KEY`
 * wins, as in Google's own SDKs), `OLLAMA_HOST`. Empty values
 * count as unset. `ollama: true` adds ollama at its default address when `OLLAMA_HOST` is unset
 * (a model naming `ollama/…` asks for it explicitly).
 */
export function providersFromEnv(env: Env, options: { ollama?: boolean } = {}): EnvProvider[] {
  const found: EnvProvider[] = [];
  const hosted = (
    id: "openai" | "anthropic" | "gemini",
    keyVariable: string | undefined,
    baseUrlVariable: string,
  ) => {
    if (!keyVariable) return;
    found.push({
      id,
      kind: id,
      keyVariable,
      ...(set(env, baseUrlVariable) ? { baseUrlVariable } : {}),
      defaultModel: DEFAULT_MODELS[id],
    });
  };
  hosted("openai", set(env, "OPENAI_API_KEY") ? "OPENAI_API_KEY" : undefined, "OPENAI_BASE_URL");
  hosted("anthropic", set(env, "ANTHROPIC_API_KEY") ? "ANTHROPIC_API_KEY" : undefined, "ANTHROPIC_BASE_URL");
  const geminiKey = ["GOOGLE_API_KEY", "GEMINI_API_KEY"].find((name) => set(env, name));
  hosted("gemini", geminiKey, "GEMINI_BASE_URL");
  if (set(env, "OLLAMA_HOST") || options.ollama) {
    found.push({
      id: "ollama",
      kind: "ollama",
      baseUrl: ollamaBaseUrl(env["OLLAMA_HOST"] || "localhost:11434"),
    });
  }
  return found;
}
