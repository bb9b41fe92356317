import type { AuthProvider } from "@modelcontextprotocol/client";
import type { McpServerConfig } from "../config/schema.ts";
import type { SandboxHost } from "../sandbox/host.ts";
import { ConfigError } from "../spec/errors.ts";

/** Where secrets come from and who must learn them (the redactor). */
export interface SecretSource {
  env: Record<string, string | undefined>;
  /** Every secret value read (tokens, client secrets) is handed here before it is used. */
  addSecrets(values: string[]): void;
  /** What a stdio server's sandbox hides and protects (default: derived from `env`). */
  sandboxHost?: SandboxHost;
}

/** The server rejected agentry's credentials even after a refresh. */
export class McpAuthError extends Error {
  override readonly name = "McpAuthError";
}

function readSecret(server: string, key: string, variable: string, source: SecretSource): string {
  const value = source.env[variable];
  if (value === undefined || value === "") {
    throw new ConfigError(
      [
        {
          file: "configuration",
          path: `mcp.${server}.${key}`,
          message: `environment variable ${variable} is not set`,
        },
      ],
      `MCP server "${server}": environment variable ${variable} (${key}) is not set`,
    );
  }
  source.addSecrets([value]);
  return value;
}

/**
 * OAuth 2.1 `client_credentials`: posts to `token_url` with HTTP Basic client authentication and
 * caches the access token until the server answers 401, then fetches one new token. A second
 * 401 in a row is a clear error naming the server.
 */
function clientCredentials(
  server: string,
  oauth: NonNullable<McpServerConfig["oauth"]>,
  source: SecretSource,
  fetchImpl: typeof fetch,
): AuthProvider {
  const secret = readSecret(server, "oauth.client_secret_env", oauth.client_secret_env, source);
  let token: Promise<string> | undefined;
  let refreshed = false;
  const fetchToken = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if (oauth.scopes?.length) body.set("scope", oauth.scopes.join(" "));
    const basic = Buffer.from(
      `${encodeURIComponent(oauth.client_id)}:${encodeURIComponent(secret)}`,
    ).toString("base64");
    const response = await fetchImpl(oauth.token_url, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    const payload = (await response.json().catch(() => ({}))) as { access_token?: unknown };
    if (!response.ok || typeof payload.access_token !== "string") {
      throw new McpAuthError(
        `MCP server "${server}": the token endpoint refused client_credentials (HTTP ${response.status})`,
      );
    }
    source.addSecrets([payload.access_token]);
    return payload.access_token;
  };
  return {
    token: () => {
      token ??= fetchToken();
      return token;
    },
    onUnauthorized: async () => {
      if (refreshed) {
        throw new McpAuthError(`MCP server "${server}" rejected a freshly issued OAuth token (401)`);
      }
      refreshed = true;
      token = fetchToken();
      await token;
    },
  };
}

/**
 * The auth provider of an HTTP server: a bearer token from `bearer_token_env`, OAuth
 * `client_credentials`, or none. A 401 with a static bearer token is an error naming the server.
 */
export function authProviderOf(
  server: string,
  config: McpServerConfig,
  source: SecretSource,
  fetchImpl: typeof fetch = fetch,
): AuthProvider | undefined {
  if (config.oauth) return clientCredentials(server, config.oauth, source, fetchImpl);
  const variable = config.bearer_token_env;
  if (variable === undefined) return undefined;
  const bearer = readSecret(server, "bearer_token_env", variable, source);
  return {
    token: async () => bearer,
    onUnauthorized: async () => {
      throw new McpAuthError(`MCP server "${server}" rejected the bearer token from ${variable} (401)`);
    },
  };
}
