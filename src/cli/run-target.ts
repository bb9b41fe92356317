import type { Command } from "commander";
import { namedEntry } from "../config/named-entry.ts";
import type { Config } from "../config/schema.ts";
import { editDistance } from "../config/suggest.ts";
import { UsageError } from "../spec/errors.ts";

/** Which agent or flow a run starts and the words of its prompt. */
export interface TargetChoice {
  /** Undefined: `[defaults].agent`. */
  target: string | undefined;
  promptWords: string[];
}

/** How `run`'s positional words were given. */
export interface TargetInput {
  /** The first positional word. */
  first: string | undefined;
  rest: string[];
  /** `-a/--agent NAME`: every positional word is prompt text. */
  agent?: string | undefined;
  /** The positional words all came after `--`: they are prompt text. */
  literal?: boolean;
  /** The agent of a continued session, run when no agent is named. */
  continued?: string | undefined;
}

/** A first word that differs from an agent or flow name by at most this many edits is refused. */
export const TYPO_DISTANCE = 2;

const NAME_LIKE = /^[A-Za-z0-9_.:-]{1,64}$/;

function isTarget(config: Config, name: string): boolean {
  return namedEntry(config.agents, name) !== undefined || namedEntry(config.flows, name) !== undefined;
}

function targetNames(config: Config): string[] {
  return [...Object.keys(config.agents ?? {}), ...Object.keys(config.flows ?? {})];
}

/**
 * The agent or flow name closest to `word` within `TYPO_DISTANCE` edits (case-insensitive), if
 * any. The distance must also be smaller than both lengths: a word that shares no letter with a
 * one- or two-letter name (`hi` and `a`) is not a typo of it.
 */
export function closeTargetName(config: Config, word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = TYPO_DISTANCE + 1;
  for (const name of targetNames(config)) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance && distance < name.length && distance < word.length) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Decides target and prompt for `run [TARGET] [PROMPT…]`: with `-a NAME` every word is prompt
 * text (an unknown NAME is exit 2); after `--` likewise; a first word naming an agent or flow
 * runs it; a first word within two edits of one (a typo such as `demoo` for `demo`) is exit 2
 * with a did-you-mean and the ways to pass the word as prompt text, so a typo never becomes a
 * paid call to the default agent; any other first word starts the prompt.
 */
export function chooseTarget(config: Config, input: TargetInput): TargetChoice {
  const words = input.first === undefined ? input.rest : [input.first, ...input.rest];
  const fallback =
    input.continued !== undefined && isTarget(config, input.continued) ? input.continued : undefined;
  if (input.agent !== undefined) {
    if (!isTarget(config, input.agent)) {
      const close = closeTargetName(config, input.agent);
      throw new UsageError(
        `unknown agent or flow "${input.agent}"${close ? `; did you mean "${close}"?` : ""}`,
        { hint: `configured: ${targetNames(config).join(", ") || "none"} (see agentry agents)` },
      );
    }
    return { target: input.agent, promptWords: words };
  }
  if (input.first === undefined || input.literal) return { target: fallback, promptWords: words };
  if (isTarget(config, input.first)) return { target: input.first, promptWords: input.rest };
  const close = NAME_LIKE.test(input.first) ? closeTargetName(config, input.first) : undefined;
  if (close !== undefined) {
    const quoted = words.length === 1 ? `"${input.first}"` : `"${words.join(" ")}"`;
    const agent = config.defaults?.agent ?? "AGENT";
    throw new UsageError(`"${input.first}" is not an agent or flow; did you mean "${close}"?`, {
      hint: `to run ${close}: agentry run ${close} …; to send ${quoted} as the prompt: agentry run -a ${agent} ${input.first} … or agentry run -- ${input.first} …`,
    });
  }
  return { target: fallback, promptWords: words };
}

/**
 * Whether the positional words of `command` all came after a `--` (so they are prompt text):
 * scans its raw arguments (commander keeps them on the parent as the untyped `rawArgs`), skipping
 * options and their values, for a `--` before any positional.
 */
export function positionalsAfterDoubleDash(command: Command): boolean {
  const rawArgs: unknown = (command.parent as { rawArgs?: unknown } | null)?.rawArgs;
  const raw = Array.isArray(rawArgs) ? rawArgs.map(String) : [];
  const start = raw.indexOf(command.name());
  const args = start === -1 ? [] : raw.slice(start + 1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") return true;
    if (arg.length < 2 || !arg.startsWith("-")) return false;
    const name = arg.startsWith("--") ? (arg.split("=")[0] as string) : arg.slice(0, 2);
    const option = command.options.find((candidate) => candidate.short === name || candidate.long === name);
    const attached = arg.startsWith("--") ? arg.includes("=") : arg.length > 2;
    if (option && (option.required || option.optional) && !attached) i++;
  }
  return false;
}
