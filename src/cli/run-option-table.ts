/**
 * The one declaration of `agentry run`'s options: main.ts declares them to commander from this
 * table (`buildProgram`, for `run`, `batch`, `resume` and every command's `-c`/`-q`/`-v`), and
 * run-argv.ts reads the plain forms of `run`'s argv by it without loading commander (start-up).
 * Plain data: it must stay free of commander and of anything slow to load.
 */

/** How an option takes its value: none (`true`), one (the last given wins), or one per use collected in a list. */
export type RunOptionKind = "flag" | "value" | "collect";

/**
 * Which commands declare an option: every command (`common`), `run`, `batch` and `resume`
 * (`run-batch-resume`), or `run` alone (`run`).
 */
export type RunOptionScope = "common" | "run-batch-resume" | "run";

/** One option of `agentry run`: how it parses, and what `--help` shows of it. */
export interface RunOptionSpec {
  long: string;
  short?: string;
  kind: RunOptionKind;
  /** The value's name in `--help` (`--config <file>`); present exactly when `kind` is not `flag`. */
  value?: string;
  choices?: readonly string[];
  /** The value when the option is not given (shown by `--help`). */
  default?: string | readonly string[];
  scope: RunOptionScope;
  description: string;
}

/** The options of `agentry run`, in `--help`'s order; each scope's options are contiguous. */
export const RUN_OPTIONS: readonly RunOptionSpec[] = [
  {
    long: "--config",
    short: "-c",
    kind: "value",
    value: "<file>",
    scope: "common",
    description: "configuration file (default ./agentry.toml, then the user config dir)",
  },
  {
    long: "--quiet",
    short: "-q",
    kind: "flag",
    scope: "common",
    description: "print only the answer and errors",
  },
  {
    long: "--verbose",
    short: "-v",
    kind: "flag",
    scope: "common",
    description: "print more detail, including stack traces",
  },
  {
    long: "--output",
    kind: "value",
    value: "<format>",
    choices: ["text", "json", "ndjson"],
    default: "text",
    scope: "run-batch-resume",
    description: "output format",
  },
  {
    long: "--model",
    kind: "value",
    value: "<provider/model>",
    scope: "run-batch-resume",
    description: "override the agent's model",
  },
  {
    long: "--max-turns",
    kind: "value",
    value: "<n>",
    scope: "run-batch-resume",
    description: "maximum model requests",
  },
  {
    long: "--timeout",
    kind: "value",
    value: "<duration>",
    scope: "run-batch-resume",
    description: "wall-clock limit, e.g. 10m",
  },
  {
    long: "--budget-usd",
    kind: "value",
    value: "<usd>",
    scope: "run-batch-resume",
    description: "stop after spending this much",
  },
  {
    long: "--max-budget-usd",
    kind: "value",
    value: "<usd>",
    scope: "run-batch-resume",
    description: "alias of --budget-usd",
  },
  {
    long: "--budget-tokens",
    kind: "value",
    value: "<n>",
    scope: "run-batch-resume",
    description: "stop after this many tokens",
  },
  {
    long: "--session",
    kind: "value",
    value: "<id>",
    scope: "run-batch-resume",
    description: "continue (or start) a saved conversation",
  },
  {
    long: "--ephemeral",
    kind: "flag",
    scope: "run-batch-resume",
    description: "write no state (no session, no deferred runs)",
  },
  {
    long: "--record",
    kind: "value",
    value: "<file>",
    scope: "run-batch-resume",
    description: "record model turns to a cassette (JSONL)",
  },
  {
    long: "--replay",
    kind: "value",
    value: "<file>",
    scope: "run-batch-resume",
    description: "replay model turns from a cassette instead of calling the provider",
  },
  {
    long: "--approve",
    kind: "value",
    value: "<mode>",
    choices: ["ask", "deny", "defer", "auto"],
    scope: "run-batch-resume",
    description: "approval mode",
  },
  {
    long: "--output-schema",
    kind: "value",
    value: "<file>",
    scope: "run-batch-resume",
    description: "JSON Schema the final answer must satisfy",
  },
  {
    long: "--fail-on-refusal",
    kind: "flag",
    scope: "run-batch-resume",
    description: "exit 3 when any tool call was refused (run_end.refused_calls > 0)",
  },
  {
    long: "--var",
    kind: "collect",
    value: "<key=value>",
    default: [],
    scope: "run-batch-resume",
    description: "template variable (repeatable)",
  },
  {
    long: "--tools",
    kind: "collect",
    value: "<kinds>",
    scope: "run-batch-resume",
    description:
      "without a configuration file: built-in tools for the assistant, file (read-only) and/or shell (asks first)",
  },
  {
    long: "--agent",
    short: "-a",
    kind: "value",
    value: "<name>",
    scope: "run",
    description: "the agent or flow to run; every positional word is then prompt text",
  },
  { long: "--json", kind: "flag", scope: "run", description: "same as --output json" },
  {
    long: "--continue",
    kind: "flag",
    scope: "run",
    description: "continue the last conversation of this directory",
  },
  {
    long: "--cd",
    short: "-C",
    kind: "value",
    value: "<dir>",
    scope: "run",
    description: "run as if started in DIR (configuration lookup, tools, --continue)",
  },
  {
    long: "--system-prompt",
    kind: "value",
    value: "<text>",
    scope: "run",
    description: "replace the agent's instructions for this run",
  },
  {
    long: "--append-system-prompt",
    kind: "value",
    value: "<text>",
    scope: "run",
    description: "add to the agent's instructions for this run",
  },
  {
    long: "--allowed-tools",
    kind: "collect",
    value: "<globs>",
    scope: "run",
    description: "keep only tools matching these names/globs (comma list, repeatable; narrows, never adds)",
  },
  {
    long: "--disallowed-tools",
    kind: "collect",
    value: "<globs>",
    scope: "run",
    description:
      "remove tools matching these names/globs (comma list, repeatable; wins over --allowed-tools)",
  },
];

/** An option's default as a fresh value: a list default is never shared between parses. */
export function runOptionDefault(spec: RunOptionSpec): string | string[] | undefined {
  return Array.isArray(spec.default) ? [...spec.default] : (spec.default as string | undefined);
}
