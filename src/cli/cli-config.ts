import { join } from "node:path";
import { type LoadedConfig, loadConfig } from "../config/loader.ts";
import { displayPath } from "../config/source-files.ts";
import {
  parseToolKinds,
  planZeroConfig,
  type ZeroConfigPlan,
  zeroConfigToml,
} from "../config/zero-config/zero-config-toml.ts";
import { UsageError } from "../spec/errors.ts";
import { locateConfigPath } from "./config-path.ts";

type Env = Record<string, string | undefined>;

/** What a configuration came from: a file, or the environment (zero-config mode). */
export type ConfigSource = { kind: "file"; path: string } | { kind: "zero-config"; plan: ZeroConfigPlan };

/** A loaded configuration and where it came from. */
export interface CliConfig {
  loaded: LoadedConfig;
  source: ConfigSource;
}

/** The flags that decide the configuration. */
export interface ConfigFlags {
  config?: string;
  model?: string;
  /** `--tools` values (zero-config mode only). */
  tools?: string[];
}

/** The name shown for the configuration of zero-config mode, which has no file. */
export const ZERO_CONFIG_NAME = "(zero-config)";

const MODEL_REF = /^[A-Za-z0-9_-]+\/.+$/;

/**
 * The configuration of a CLI command: the file `locateConfigPath` finds (`-c`, `AGENTRY_CONFIG`,
 * `./agentry.toml`, the user config file), else zero-config mode, whose built-in `assistant` agent
 * and providers come from the environment (`planZeroConfig`) and is loaded from the same TOML
 * `agentry init --from-env` writes. A file always wins; `--tools` with a file is exit 2 (its tools
 * come from the file). With a file, `AGENTRY_MODEL` stands in for an unset `[defaults].model`.
 */
export async function loadCliConfig(
  flags: ConfigFlags,
  cwd: string = process.cwd(),
  env: Env = process.env,
): Promise<CliConfig> {
  const path = locateConfigPath(flags.config, cwd, env);
  const tools = parseToolKinds(flags.tools ?? []);
  if (path !== undefined) {
    if (tools.length > 0) {
      throw new UsageError(
        `--tools applies only without a configuration file, and ${displayPath(path, cwd)} is used`,
        {
          hint: "list the agent's tools in the configuration file instead",
        },
      );
    }
    return {
      loaded: withEnvironmentModel(await loadConfig(path, { cwd, env }), env),
      source: { kind: "file", path },
    };
  }
  const plan = planZeroConfig({ env, model: flags.model, tools });
  const loaded = await loadConfig(join(cwd, ZERO_CONFIG_NAME), { cwd, env, text: zeroConfigToml(plan) });
  return { loaded, source: { kind: "zero-config", plan } };
}

function withEnvironmentModel(loaded: LoadedConfig, env: Env): LoadedConfig {
  const model = env["AGENTRY_MODEL"];
  if (!model || loaded.config.defaults?.model !== undefined) return loaded;
  if (!MODEL_REF.test(model))
    throw new UsageError(`AGENTRY_MODEL: expected provider/model, found "${model}"`);
  return { ...loaded, config: { ...loaded.config, defaults: { ...loaded.config.defaults, model } } };
}

/**
 * One line saying where the configuration came from: the file (relative to `cwd` when inside
 * it), or zero-config mode with its providers and model. Never a key value.
 */
export function describeConfigSource(source: ConfigSource, cwd: string = process.cwd()): string {
  if (source.kind === "file") return displayPath(source.path, cwd);
  const { plan } = source;
  const providers = plan.providers.map((provider) => provider.id).join(", ");
  const model = plan.modelSource === "default" ? `${plan.model} (default)` : plan.model;
  const tools = plan.tools.length > 0 ? plan.tools.join(", ") : "none";
  return `no configuration file (zero-config: providers from the environment: ${providers}; model ${model}; tools: ${tools})`;
}
