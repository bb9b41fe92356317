import type { Config } from "../config/schema.ts";
import { configuredSecretValues } from "../config/secret-values.ts";
import { DEFAULT_KEY_VARIABLE } from "../providers/create-provider.ts";
import { createRedactor, type Redactor } from "../redact/index.ts";

/**
 * A redactor of the configuration's secrets (and the secret detectors, not personal data), for
 * commands that print what a server said outside a run (`doctor`, `tools`): an MCP server that
 * fails to start may write its own key to stderr, which agentry quotes. Pass its `addSecrets` as
 * the servers' secret sink, so the secrets they resolve while starting are hidden too.
 */
export function configSecretsRedactor(config: Config, env: Record<string, string | undefined>): Redactor {
  return createRedactor({ pii: false, secrets: configuredSecretValues(config, env, DEFAULT_KEY_VARIABLE) });
}
