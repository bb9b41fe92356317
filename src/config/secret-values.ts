import { hasReferences, interpolate, listReferences } from "./interpolate.ts";
import type { Config } from "./schema.ts";

/**
 * Names of environment variables whose values are treated as secrets when a tool passes them
 * through (`env = [...]`): `*_KEY`, `*SECRET*`, `*TOKEN*`, `*PASSWORD*`, `*PASSWD*`,
 * `*PASSPHRASE*`, `*CREDENTIAL*`, `*APIKEY*`, `*_PAT`, case-insensitive.
 */
const SECRET_NAME = /(^|_)KEYS?$|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|APIKEY|(^|_)PAT$/i;

/** Names of variables that hold URLs or DSNs, whose embedded credentials are secrets. */
const URL_NAME = /(^|_)(URL|URI|DSN)$/i;

/** `scheme://user:password@` or `user:password@` (Go-style DSNs) at the start of a value. */
const USERINFO = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^:@/\s]*)(?::([^@/\s]*))?@/;

/** Whether a variable's name says its value is a secret (`GITHUB_TOKEN`, `DB_PASSWORD`, …). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The secret parts of a passed-through variable's value: the whole value when the name looks
 * secret; the credentials inside it when the name says it is a URL or DSN (`DATABASE_URL`):
 * the password, or the user when there is no password (`https://TOKEN@host`), raw and
 * percent-decoded. Nothing for other names.
 */
export function passThroughSecrets(name: string, value: string): string[] {
  if (isSecretName(name)) return [value];
  if (!URL_NAME.test(name)) return [];
  return userinfoSecrets(value);
}

/** The password in a URL's or DSN's user info, else its user, raw and percent-decoded. */
function userinfoSecrets(value: string): string[] {
  const match = USERINFO.exec(value);
  if (!match) return [];
  const credential = match[2] || match[1] || "";
  if (!credential) return [];
  const decoded = safeDecode(credential);
  return decoded === credential ? [credential] : [credential, decoded];
}

/**
 * The parts of a URL filled in from `${VAR}`s that may carry a credential: the user info (as
 * `passThroughSecrets` finds it) and the value of every query parameter (`?key=…`), except values
 * written out in `template` (the URL as configured, before its variables were filled in), such
 * as `api-version=2024-02-01`: only what came from a variable is a secret.
 */
export function urlSecrets(url: string, template = ""): string[] {
  const literal = new Set(queryValues(template).filter((value) => !hasReferences(value)));
  return [...userinfoSecrets(url), ...queryValues(url).filter((value) => !literal.has(value))];
}

/** The values of a URL's query parameters, decoded; none without a query. */
function queryValues(url: string): string[] {
  const query = url.indexOf("?");
  if (query < 0) return [];
  return [...new URLSearchParams(url.slice(query + 1).split("#")[0])].map(([, value]) => value);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Every secret value the configuration can put into play, known before a run starts so the
 * redactor hides it from `run_start` on: the values of `${VAR}`s in provider `api_key` and
 * `headers`, the user info and query values of a provider `base_url` that uses `${VAR}`s, the
 * usual key variable of hosted providers without `api_key`, tool `headers` and
 * `set_env`, the secret-looking variables tools pass through with `env`, the same for
 * `[mcp.*]` servers plus their `bearer_token_env` and OAuth `client_secret_env`, and the
 * credentials of trace export (`telemetrySecrets`). Unset variables are skipped (whether they are
 * required is checked where they are used).
 */
export function configuredSecretValues(
  config: Config,
  env: Record<string, string | undefined>,
  defaultKeyVariables: Readonly<Record<string, string | undefined>> = {},
): string[] {
  const found: string[] = [];
  const fromReferences = (text: string | undefined) => {
    if (text === undefined) return;
    for (const { name } of listReferences(text)) {
      const value = env[name];
      if (value) found.push(value);
    }
  };
  for (const provider of Object.values(config.providers ?? {})) {
    const defaultVariable = defaultKeyVariables[provider.kind];
    fromReferences(provider.api_key ?? (defaultVariable ? `\${${defaultVariable}}` : undefined));
    for (const value of Object.values(provider.headers ?? {})) fromReferences(value);
    if (provider.base_url !== undefined && hasReferences(provider.base_url)) {
      const resolved = resolvedOrUndefined(provider.base_url, env);
      if (resolved !== undefined) found.push(...urlSecrets(resolved, provider.base_url));
    }
  }
  for (const tool of Object.values(config.tools ?? {})) {
    if ("headers" in tool) for (const value of Object.values(tool.headers ?? {})) fromReferences(value);
    if ("set_env" in tool) for (const value of Object.values(tool.set_env ?? {})) fromReferences(value);
    if ("env" in tool) {
      for (const name of tool.env ?? []) {
        const value = env[name];
        if (value) found.push(...passThroughSecrets(name, value));
      }
    }
  }
  found.push(...telemetrySecrets(config.telemetry, env));
  for (const server of Object.values(config.mcp ?? {})) {
    for (const value of Object.values(server.headers ?? {})) fromReferences(value);
    for (const value of Object.values(server.set_env ?? {})) fromReferences(value);
    for (const name of server.env ?? []) {
      const value = env[name];
      if (value) found.push(...passThroughSecrets(name, value));
    }
    for (const name of [server.bearer_token_env, server.oauth?.client_secret_env]) {
      const value = name === undefined ? undefined : env[name];
      if (value) found.push(value);
    }
  }
  return found;
}

/** The OTLP exporter's header variables: `key=value` pairs whose values are credentials. */
const OTEL_HEADER_VARIABLES = ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] as const;

/** `Bearer TOKEN`, `Basic …`: the credential after an authorization scheme. */
const AUTH_SCHEME = /^[A-Za-z][A-Za-z0-9_-]*\s+(\S.*)$/;

/**
 * The credentials of trace export: every header value of `OTEL_EXPORTER_OTLP_HEADERS` and
 * `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (as written and percent-decoded), every `[telemetry].headers`
 * value as resolved (written out or from `${VAR}`s), the credential after an authorization
 * scheme in any of them (`Bearer TOKEN` gives `TOKEN` too), and the user info and query values of
 * an endpoint from `OTEL_EXPORTER_OTLP_ENDPOINT`/`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. Collected
 * whether or not export is on: the variables sit in agentry's environment, which a tool can read
 * (`/proc/PPID/environ`).
 */
function telemetrySecrets(telemetry: Config["telemetry"], env: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const name of OTEL_HEADER_VARIABLES) {
    for (const pair of (env[name] ?? "").split(",")) {
      const at = pair.indexOf("=");
      if (at <= 0) continue;
      const raw = pair.slice(at + 1).trim();
      values.push(raw, safeDecode(raw));
    }
  }
  for (const value of Object.values(telemetry?.headers ?? {})) {
    for (const { name } of listReferences(value)) values.push(env[name] ?? "");
    const resolved = resolvedOrUndefined(value, env);
    if (resolved !== undefined) values.push(resolved);
  }
  for (const value of [...values]) {
    const credential = AUTH_SCHEME.exec(value)?.[1];
    if (credential) values.push(credential);
  }
  for (const name of ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) {
    const endpoint = env[name]?.trim();
    if (endpoint) values.push(...urlSecrets(endpoint));
  }
  return [...new Set(values.filter((value) => value !== ""))];
}

function resolvedOrUndefined(text: string, env: Record<string, string | undefined>): string | undefined {
  try {
    return interpolate(text, "", env).value;
  } catch {
    return undefined;
  }
}
