import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { type Config, configSchema } from "../../src/config/schema.ts";
import {
  configuredSecretValues,
  isSecretName,
  passThroughSecrets,
  urlSecrets,
} from "../../src/config/secret-values.ts";

describe("secret-looking variable names", () => {
  test.each([
    "OPENAI_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "MY_SECRET",
    "GITHUB_TOKEN",
    "TOKEN_FILE_CONTENT",
    "DB_PASSWORD",
    "PGPASSWD",
    "GPG_PASSPHRASE",
    "GOOGLE_CREDENTIALS",
    "STRIPE_APIKEY",
    "GITLAB_PAT",
    "api_key",
  ])("%s is secret", (name) => expect(isSecretName(name)).toBe(true));

  test.each(["PATH", "HOME", "LANG", "KEYBOARD_LAYOUT", "PATTERN", "MONKEY_MODE", "TERM"])(
    "%s is not",
    (name) => expect(isSecretName(name)).toBe(false),
  );
});

describe("passThroughSecrets", () => {
  test("the whole value of a secret-looking name", () => {
    expect(passThroughSecrets("MY_SECRET", "s3cr3t-value")).toEqual(["s3cr3t-value"]);
  });
  test("the password inside a URL or DSN, raw and percent-decoded", () => {
    expect(passThroughSecrets("DATABASE_URL", "postgres://app:p%40ss-w0rd@db:5432/x")).toEqual([
      "p%40ss-w0rd",
      "p@ss-w0rd",
    ]);
    expect(passThroughSecrets("SENTRY_DSN", "https://abc123def@o1.ingest.sentry.io/4")).toEqual([
      "abc123def",
    ]);
    expect(passThroughSecrets("MYSQL_DSN", "root:hunter22@tcp(127.0.0.1:3306)/db")).toEqual(["hunter22"]);
  });
  test("nothing for URLs without credentials or ordinary names", () => {
    expect(passThroughSecrets("SERVICE_URL", "https://example.com/a@b")).toEqual([]);
    expect(passThroughSecrets("LANG", "C.UTF-8")).toEqual([]);
  });
});

test("configuredSecretValues collects provider keys, headers, set_env and secret pass-throughs", () => {
  const config: Config = configSchema.parse(
    parse(`
[providers.a]
kind = "openai"
[providers.b]
kind = "openai-compatible"
base_url = "http://localhost:1/v1"
api_key = "\${B_KEY}"
headers = { "X-Org" = "org-\${ORG_ID}" }
[tools.web]
kind = "http"
headers = { Authorization = "Bearer \${GH}" }
[tools.sh]
kind = "shell"
env = ["PATH", "NPM_TOKEN", "UNSET_TOKEN"]
set_env = { X = "\${SET_ME}" }
`),
  );
  const env = {
    OPENAI_API_KEY: "openai-value",
    B_KEY: "b-value",
    ORG_ID: "org-value",
    GH: "gh-value",
    NPM_TOKEN: "npm-value",
    SET_ME: "set-value",
    PATH: "/usr/bin",
  };
  expect(configuredSecretValues(config, env, { openai: "OPENAI_API_KEY" }).sort()).toEqual(
    ["b-value", "gh-value", "npm-value", "openai-value", "org-value", "set-value"].sort(),
  );
});

test("urlSecrets: user info and query values of a URL filled in from variables (review 8)", () => {
  expect(urlSecrets("https://app:pa%20ss@host/v1?key=K-123456&api-version=2024-02-01#frag")).toEqual([
    "pa%20ss",
    "pa ss",
    "K-123456",
    "2024-02-01",
  ]);
  expect(
    urlSecrets(
      "https://app:pw-123456@host/v1?key=K-123456&api-version=2024-02-01",
      `\${BASE}/v1?key=\${KEY}&api-version=2024-02-01`,
    ),
  ).toEqual(["pw-123456", "K-123456"]);
  expect(urlSecrets("https://TOKEN123@host/v1")).toEqual(["TOKEN123"]);
  expect(urlSecrets("https://host/v1")).toEqual([]);
  const config: Config = configSchema.parse(
    parse(`
[providers.g]
kind = "openai-compatible"
base_url = "https://host/v1?key=\${G_KEY}"

[providers.plain]
kind = "openai-compatible"
base_url = "https://user:literal@host/v1?x=literal-query"

[providers.unset]
kind = "openai-compatible"
base_url = "\${UNSET_BASE}"
`),
  );
  expect(configuredSecretValues(config, { G_KEY: "g-key-value" })).toEqual(["g-key-value"]);
});

test("trace export credentials: OTLP header values from the environment (raw, decoded, after the scheme), [telemetry].headers values as resolved, endpoint user info and query", () => {
  const config: Config = configSchema.parse(
    parse(`
[telemetry]
headers = { authorization = "Bearer \${OTEL_TOKEN}", "x-api-key" = "written-out-key-123" }
`),
  );
  const env = {
    OTEL_TOKEN: "otel-token-value",
    OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=hc%2Fteam-key,authorization=Basic%20dXNlcjpwYXNz",
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: " api-key = traces-key-456 ",
    OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector-user:collector-pass@collector.example:4318?token=q-token",
  };
  expect(configuredSecretValues(config, env).sort()).toEqual(
    [
      "hc%2Fteam-key",
      "hc/team-key",
      "Basic%20dXNlcjpwYXNz",
      "Basic dXNlcjpwYXNz",
      "dXNlcjpwYXNz",
      "traces-key-456",
      "otel-token-value",
      "Bearer otel-token-value",
      "written-out-key-123",
      "collector-pass",
      "q-token",
    ].sort(),
  );
  expect(configuredSecretValues(configSchema.parse({}), { OTEL_EXPORTER_OTLP_HEADERS: "broken,=x" })).toEqual(
    [],
  );
});
