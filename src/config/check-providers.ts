import type { SemanticInput } from "./issue-report.ts";

const NEEDS_KEY = new Set(["openai", "anthropic", "gemini"]);

/**
 * Provider and tool settings that depend on each other: hosted providers need `api_key`,
 * `openai-compatible` needs `base_url`, `replay` needs `cassette` (and only replay takes one),
 * base URLs are http(s) URLs, `instructions` and `instructions_file` exclude each other, and an
 * `mcp` tool names exactly one of `command` and `url`.
 */
export function checkProviders({ config, report }: SemanticInput): void {
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    const at = ["providers", name];
    if (NEEDS_KEY.has(provider.kind) && provider.api_key === undefined) {
      report(
        at,
        {
          message: `missing required key "api_key" for a provider of kind "${provider.kind}"`,
          expected: `api_key = "\${ENV_VAR}"`,
          found: "nothing",
        },
        "key",
      );
    }
    if (provider.kind === "openai-compatible" && provider.base_url === undefined) {
      report(
        at,
        {
          message: 'missing required key "base_url" for a provider of kind "openai-compatible"',
          expected: 'base_url = "http://host:port/v1"',
          found: "nothing",
        },
        "key",
      );
    }
    if (provider.kind === "replay" && provider.cassette === undefined) {
      report(
        at,
        {
          message: 'missing required key "cassette" for a provider of kind "replay"',
          expected: "the path of a cassette file (JSONL of model turns)",
          found: "nothing",
        },
        "key",
      );
    }
    if (provider.kind !== "replay" && provider.cassette !== undefined) {
      report(
        [...at, "cassette"],
        {
          message: 'cassette applies only to kind = "replay"',
          found: JSON.stringify(provider.kind),
        },
        "key",
      );
    }
    const url = provider.base_url;
    if (url !== undefined && !url.includes("${") && !isHttpUrl(url)) {
      report([...at, "base_url"], {
        message: "invalid URL",
        expected: 'an http(s) URL such as "https://api.openai.com/v1"',
        found: JSON.stringify(url),
      });
    }
  }
  for (const [name, agent] of Object.entries(config.agents ?? {})) {
    if (agent.instructions !== undefined && agent.instructions_file !== undefined) {
      report(
        ["agents", name, "instructions_file"],
        {
          message: "instructions and instructions_file are mutually exclusive",
          expected: "only one of instructions and instructions_file",
          found: "both",
        },
        "key",
      );
    }
  }
}

/** Whether `text` parses as an http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
