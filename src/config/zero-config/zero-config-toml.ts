import { UsageError } from "../../spec/errors.ts";
import {
  BUILTIN_PROVIDER_IDS,
  type EnvProvider,
  PROVIDER_VARIABLES,
  providersFromEnv,
} from "./env-providers.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The agent of zero-config mode. */
export const ZERO_CONFIG_AGENT = "assistant";

/** Built-in tool kinds `--tools` may name, with their safe defaults (see `zeroConfigToml`). */
export const BUILTIN_TOOL_KINDS = ["file", "shell"] as const;
export type BuiltinToolKind = (typeof BUILTIN_TOOL_KINDS)[number];

/** Where the model of a zero-config run came from. */
export type ModelSource = "--model" | "AGENTRY_MODEL" | "default";

/** What zero-config mode resolved from the flags and the environment. */
export interface ZeroConfigPlan {
  providers: EnvProvider[];
  /** `provider/model`. */
  model: string;
  modelSource: ModelSource;
  tools: BuiltinToolKind[];
}

const MODEL_REF = /^[A-Za-z0-9_-]+\/.+$/;

const INSTRUCTIONS =
  "You are a helpful assistant run by agentry from the command line. Answer directly and concisely.";

/** Parses `--tools` values (comma lists, repeatable) into built-in kinds; anything else is exit 2. */
export function parseToolKinds(values: readonly string[]): BuiltinToolKind[] {
  const kinds: BuiltinToolKind[] = [];
  for (const word of values.flatMap((value) => value.split(",")).map((w) => w.trim())) {
    if (word === "") continue;
    if (!(BUILTIN_TOOL_KINDS as readonly string[]).includes(word)) {
      throw new UsageError(
        `--tools: unknown built-in tool "${word}"; choose from ${BUILTIN_TOOL_KINDS.join(", ")}`,
        {
          hint: "--tools file (read-only file access in the working directory), --tools shell (asks before every command), or --tools file,shell",
        },
      );
    }
    if (!kinds.includes(word as BuiltinToolKind)) kinds.push(word as BuiltinToolKind);
  }
  return kinds;
}

function pickModel(
  providers: EnvProvider[],
  requested: string | undefined,
  fromEnv: string | undefined,
): { model: string; modelSource: ModelSource } {
  const named = requested ?? fromEnv;
  if (named !== undefined) {
    const source = requested !== undefined ? "--model" : "AGENTRY_MODEL";
    if (!MODEL_REF.test(named)) throw new UsageError(`${source}: expected provider/model, found "${named}"`);
    const id = named.slice(0, named.indexOf("/"));
    if (!providers.some((provider) => provider.id === id)) {
      const known = (BUILTIN_PROVIDER_IDS as readonly string[]).includes(id);
      throw new UsageError(
        known
          ? `${source} names provider "${id}", which is not available: ${PROVIDER_VARIABLES[id as EnvProvider["id"]]} is not set`
          : `${source} names provider "${id}", which is not built in; without a configuration file the providers are ${BUILTIN_PROVIDER_IDS.join(", ")}`,
        {
          hint: known
            ? `set ${PROVIDER_VARIABLES[id as EnvProvider["id"]]}, or name another provider's model`
            : "write a configuration with that provider (`agentry init`), or pass -c FILE",
        },
      );
    }
    return { model: named, modelSource: source };
  }
  const hosted = providers.filter((provider) => provider.defaultModel !== undefined);
  if (providers.length === 1 && hosted.length === 1) {
    const only = hosted[0] as EnvProvider;
    return { model: `${only.id}/${only.defaultModel}`, modelSource: "default" };
  }
  const ids = providers.map((provider) => provider.id).join(", ");
  throw new UsageError(
    providers.length === 1
      ? `no model named, and ${ids} has no default model`
      : `no model named, and several providers are available (${ids})`,
    { hint: `pass --model provider/model (e.g. --model ${exampleModel(providers)}) or set AGENTRY_MODEL` },
  );
}

/** A model the user could pass: the first hosted provider's default, else one of ollama's. */
function exampleModel(providers: readonly EnvProvider[]): string {
  const hosted = providers.find((provider) => provider.defaultModel !== undefined);
  return hosted ? `${hosted.id}/${hosted.defaultModel}` : "ollama/llama3.2";
}

/**
 * Resolves zero-config mode: the providers the environment makes available, the model
 * (`--model`, else `AGENTRY_MODEL`, else the default model of the only provider available;
 * several providers or only ollama without a named model is exit 2), and the built-in tools.
 * Throws UsageError (exit 2) saying what to set when no provider is available.
 */
export function planZeroConfig(input: {
  env: Env;
  model?: string | undefined;
  tools?: readonly BuiltinToolKind[];
}): ZeroConfigPlan {
  const named = input.model ?? (input.env["AGENTRY_MODEL"] || undefined);
  const providers = providersFromEnv(input.env, { ollama: named?.startsWith("ollama/") ?? false });
  if (providers.length === 0) {
    throw new UsageError("no configuration file found, and no provider is configured in the environment", {
      hint: "set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY) or OLLAMA_HOST to run without a configuration file, or run `agentry init` to write one",
    });
  }
  return {
    providers,
    ...pickModel(providers, input.model, input.env["AGENTRY_MODEL"] || undefined),
    tools: [...(input.tools ?? [])],
  };
}

const str = (value: string) => JSON.stringify(value);
const ref = (variable: string) => str(`\${${variable}}`);

function providerTable(provider: EnvProvider): string[] {
  const lines = [`[providers.${provider.id}]`, `kind = ${str(provider.kind)}`];
  if (provider.keyVariable) lines.push(`api_key = ${ref(provider.keyVariable)}`);
  if (provider.baseUrlVariable) lines.push(`base_url = ${ref(provider.baseUrlVariable)}`);
  if (provider.baseUrl) lines.push(`base_url = ${str(provider.baseUrl)}`);
  return lines;
}

const TOOL_TABLES: Record<BuiltinToolKind, string[]> = {
  file: [
    "[tools.file]",
    'kind = "file"',
    'root = "."          # the working directory',
    "write = false       # read-only: read, list and search",
  ],
  shell: [
    "[tools.shell]",
    'kind = "shell"',
    'env = ["PATH", "HOME"]   # nothing else of the environment (no API keys) reaches commands',
  ],
};

/**
 * The TOML equivalent of a zero-config plan: `[defaults]`, one `[providers.*]` table per
 * available provider with keys and base URLs as `${VAR}` references (never their values), the
 * `--tools` tables (`file`: read-only, rooted at the directory of the file, i.e. the working
 * directory; `shell`: only PATH and HOME passed) and the `assistant` agent in `ask` mode, where
 * every shell command asks for approval.
 */
export function zeroConfigToml(plan: ZeroConfigPlan): string {
  const lines = [
    "# agentry configuration equivalent to running without one (zero-config mode).",
    "# API keys stay references to environment variables: keep them there, never in this file.",
    "",
    "[defaults]",
    `agent = ${str(ZERO_CONFIG_AGENT)}`,
    `model = ${str(plan.model)}`,
    "",
  ];
  for (const provider of plan.providers) lines.push(...providerTable(provider), "");
  for (const kind of plan.tools) lines.push(...TOOL_TABLES[kind], "");
  lines.push(
    `[agents.${ZERO_CONFIG_AGENT}]`,
    'description = "General-purpose assistant (built in)"',
    `instructions = ${str(INSTRUCTIONS)}`,
    `tools = [${plan.tools.map(str).join(", ")}]`,
    'mode = "ask"',
  );
  if (plan.tools.includes("shell")) {
    lines.push(
      "",
      `[agents.${ZERO_CONFIG_AGENT}.policy.approval]`,
      'tools = ["shell"]   # every command asks first',
    );
  }
  return `${lines.join("\n")}\n`;
}
