import { hasReferences, interpolate, listReferences } from "../../config/interpolate.ts";
import { formatKeyPath, isTable, type KeyPath } from "../../config/key-path.ts";
import type { LoadedConfig } from "../../config/loader.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { displayPath } from "../../config/source-files.ts";
import { loadCassette } from "../../providers/replay/cassette.ts";
import type { Redactor } from "../../redact/index.ts";
import { ConfigError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { writingMethods } from "../../tools/http/methods.ts";
import { describeConfigSource, loadCliConfig } from "../cli-config.ts";
import { locateConfigPath } from "../config-path.ts";
import { configSecretsRedactor } from "../config-secrets.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer } from "../output.ts";

/** SPEC §12 default base URLs, used when a provider sets none. */
const DEFAULT_BASE_URL: Record<string, string> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
  gemini: "https://generativelanguage.googleapis.com",
  ollama: "http://localhost:11434/v1",
};

const REACH_TIMEOUT_MS = 2000;

interface Check {
  ok: boolean;
  text: string;
  /** A problem that does not fail the checklist (an optional MCP server that is down). */
  warn?: boolean;
}

/**
 * `agentry doctor`: a checklist on stdout — the configuration loads (without a configuration file:
 * what zero-config mode resolved from the environment, as `run` would use it); every `${VAR}` it references
 * is set (or has a default; values are never printed); every provider's base URL answers over
 * HTTP within 2 s (the runtime's fetch, undici on Node; any response counts; replay providers: the cassette loads as `run` loads it). Contacts no
 * host but those the configuration names (or the SPEC default of a provider kind). Every enabled
 * `[mcp.*]` server is started, listed and stopped (see `mcpChecks`). Controls that promise more than
 * they hold are warnings (deny-only shell rules, `read_only` claims nothing backs). Exit 0 when everything
 * passes, 1 when a check fails, 2 when the configuration is invalid.
 */
export default async function doctorCommand(options: CommonOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const path = locateConfigPath(options.config, cwd);
  let loaded: LoadedConfig;
  let source: string;
  try {
    const cli = await loadCliConfig(options.config !== undefined ? { config: options.config } : {}, cwd);
    loaded = cli.loaded;
    source =
      cli.source.kind === "file"
        ? `configuration ${displayPath(cli.source.path, cwd)} loads (${loaded.files.length} file${loaded.files.length === 1 ? "" : "s"})`
        : describeConfigSource(cli.source, cwd);
  } catch (err) {
    if (err instanceof ConfigError && path !== undefined) {
      writeAnswer(`FAIL  configuration ${displayPath(path, cwd)}: ${err.message}\n`);
    }
    throw err;
  }
  const env = process.env;
  const redactor = configSecretsRedactor(loaded.config, env);
  const checks: Check[] = [{ ok: true, text: source }];
  checks.push(...variableChecks(loaded, env));
  checks.push(...shellRuleChecks(loaded), ...readOnlyClaimChecks(loaded));
  const providers = Object.entries(loaded.config.providers ?? {});
  checks.push(
    ...(await Promise.all(providers.map(([name, provider]) => providerCheck(name, provider, env)))),
  );
  checks.push(...(await mcpChecks(loaded, env, redactor)));
  const failed = checks.filter((check) => !check.ok).length;
  const lines = checks.map((check) => `${check.warn ? "warn" : check.ok ? "ok  " : "FAIL"}  ${check.text}`);
  lines.push(failed === 0 ? "all checks passed" : `${failed} check${failed === 1 ? "" : "s"} failed`);
  writeAnswer(`${redactor.redact(lines.join("\n"))}\n`);
  return failed === 0 ? ExitCode.ok : ExitCode.agentFailed;
}

/**
 * Starts every enabled `[mcp.*]` server (in parallel, each within its startup timeout), reports
 * its transport, protocol revision and tool count, and stops it. The secrets a server resolves go
 * to `redactor`, through which the report is printed. A required server that fails is
 * a failure, an optional one a warning.
 */
async function mcpChecks(
  loaded: LoadedConfig,
  env: Record<string, string | undefined>,
  redactor: Redactor,
): Promise<Check[]> {
  const servers = loaded.config.mcp ?? {};
  const names = Object.keys(servers);
  if (names.length === 0) return [];
  const { inspectServers } = await import("../../mcp/inspect.ts");
  const reports = await inspectServers(servers, names, {
    env,
    addSecrets: (values) => redactor.addSecrets(values),
  });
  return reports.map((report): Check => {
    const label = `mcp server ${report.server}${report.required ? " (required)" : ""}`;
    switch (report.state) {
      case "up":
        return {
          ok: true,
          text: `${label}: up (${report.transport}, protocol ${report.protocol_version ?? "unknown"}), ${report.tools.length} tool${report.tools.length === 1 ? "" : "s"}: ${report.tools.map((tool) => tool.name).join(", ") || "none"}`,
        };
      case "disabled":
        return { ok: true, text: `${label}: disabled (enabled = false)` };
      default:
        return report.required
          ? { ok: false, text: `${label}: ${report.reason}` }
          : {
              ok: true,
              warn: true,
              text: `${label}: unavailable, its tools will be missing (${report.reason})`,
            };
    }
  });
}

/**
 * A warning for each shell tool whose only rules are deny rules: they refuse every parsed form of
 * a denied program, but a program that runs others (`python -c`, `git`, `make`) can still run it;
 * only an allow list is a control (docs/SECURITY.md, "Shell tool").
 */
function shellRuleChecks(loaded: LoadedConfig): Check[] {
  return Object.entries(loaded.config.tools ?? {}).flatMap(([name, tool]): Check[] =>
    tool.kind === "shell" && tool.deny?.length && !tool.allow?.length
      ? [
          {
            ok: true,
            warn: true,
            text: `tools.${name}: deny rules without an allow list are best-effort (a program that runs others, e.g. python -c, can still run a denied one); add allow rules to control what runs`,
          },
        ]
      : [],
  );
}

/**
 * A warning for each `read_only = true` that nothing backs (docs/SECURITY.md, "Read-only mode"):
 * a shell tool with no allow list and no read-only sandbox (readonly mode would run any command
 * given to it), an http tool whose methods include one that writes.
 */
function readOnlyClaimChecks(loaded: LoadedConfig): Check[] {
  return Object.entries(loaded.config.tools ?? {}).flatMap(([name, tool]): Check[] => {
    if (tool.kind === "shell" && tool.read_only && !tool.allow?.length && tool.sandbox !== "read-only") {
      return [
        {
          ok: true,
          warn: true,
          text: `tools.${name}: read_only = true without an allow list or sandbox = "read-only": readonly mode runs any command given to it, writes included; allow only programs that read, or add sandbox = "read-only"`,
        },
      ];
    }
    if (tool.kind === "http" && tool.read_only) {
      const writing = writingMethods(tool.methods);
      if (writing.length === 0) return [];
      return [
        {
          ok: true,
          warn: true,
          text: `tools.${name}: read_only = true while methods allow ${writing.join(", ")}: readonly mode lets the model send them; list only GET and HEAD in methods, or drop read_only`,
        },
      ];
    }
    return [];
  });
}

function variableChecks(loaded: LoadedConfig, env: Record<string, string | undefined>): Check[] {
  const uses = new Map<string, { paths: string[]; allDefaulted: boolean }>();
  const walk = (value: unknown, path: KeyPath) => {
    if (typeof value === "string") {
      for (const ref of listReferences(value)) {
        const use = uses.get(ref.name) ?? { paths: [], allDefaulted: true };
        use.paths.push(formatKeyPath(path));
        use.allDefaulted &&= ref.hasDefault;
        uses.set(ref.name, use);
      }
    } else if (Array.isArray(value))
      value.forEach((item, i) => {
        walk(item, [...path, i]);
      });
    else if (isTable(value)) for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(loaded.config, []);
  return [...uses.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, use]) => {
      const where = `used by ${use.paths.join(", ")}`;
      const value = env[name];
      if (value !== undefined && value !== "") return { ok: true, text: `\${${name}} is set (${where})` };
      if (use.allDefaulted)
        return { ok: true, text: `\${${name}} is not set; its default is used (${where})` };
      return { ok: false, text: `\${${name}} is not set (${where})` };
    });
}

async function providerCheck(
  name: string,
  provider: ProviderConfig,
  env: Record<string, string | undefined>,
): Promise<Check> {
  const label = `provider ${name} (${provider.kind})`;
  if (provider.kind === "replay") {
    const cassette = provider.cassette ?? "";
    try {
      const { turns } = loadCassette(cassette);
      return { ok: true, text: `${label}: cassette ${cassette} holds ${turns.length} recorded turn(s)` };
    } catch (err) {
      return { ok: false, text: `${label}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const configured = provider.base_url ?? DEFAULT_BASE_URL[provider.kind];
  if (configured === undefined) return { ok: false, text: `${label}: no base_url configured` };
  let url: string;
  try {
    url = interpolate(configured, `providers.${name}.base_url`, env).value;
  } catch (err) {
    return {
      ok: false,
      text: `${label}: base_url cannot be resolved (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  const shown = hasReferences(configured) ? withoutCredentials(url) : url;
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
    await response.body?.cancel();
    return { ok: true, text: `${label}: ${shown} is reachable (HTTP ${response.status})` };
  } catch (err) {
    return { ok: false, text: `${label}: ${shown} is unreachable (${reasonOf(err)})` };
  }
}

/**
 * A base URL resolved from `${VAR}` as it may be shown: scheme, host, port and path. User info,
 * query and fragment are dropped, since a variable may carry a token there.
 */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" && !url.endsWith("/") ? "" : parsed.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no answer within ${REACH_TIMEOUT_MS / 1000} s`;
  }
  const cause = (err as { cause?: unknown }).cause;
  const code = (err as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  if (code === "ENOENT") return "not found";
  if (typeof code === "string") return code;
  return err instanceof Error ? err.message : String(err);
}
