import type { Command } from "commander";
import { UsageError } from "../../spec/errors.ts";
import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { describeConfigSource } from "../cli-config.ts";
import { rememberRunSession, sessionForRun } from "../continue-session.ts";
import type { RunOptions } from "../main.ts";
import { writeInfo } from "../output.ts";
import { readPrompt } from "../prompt-input.ts";
import { applyJsonFlag, exitCodeAfterRefusals, requestFromFlags } from "../run-options.ts";
import { listenerFor, openCliRun } from "../run-session.ts";
import { chooseTarget, positionalsAfterDoubleDash } from "../run-target.ts";
import { enterWorkingDirectory } from "../working-directory.ts";

/**
 * `agentry run [AGENT|FLOW] [PROMPT...]`. When the first word is not a known agent or flow it
 * is part of the prompt and `[defaults].agent` runs, unless it looks like a typo of one (exit 2,
 * see `chooseTarget`). Every run not `--ephemeral` keeps its conversation as a session, which
 * `--continue` picks up in the same directory.
 */
export default async function runCommand(
  first: string | undefined,
  rest: string[],
  options: RunOptions,
  command: Command,
): Promise<ExitCodeValue> {
  return runWith(first, rest, options, {
    outputGiven: command.getOptionValueSource("output") === "cli",
    literal: positionalsAfterDoubleDash(command),
  });
}

/** What the run needs to know of the command line besides the options (commander's, or src/cli/run-argv.ts's). */
export interface RunArgvFacts {
  /** `--output` was given (so `--json` with another format is refused). */
  outputGiven: boolean;
  /** The positional words came after `--`: all prompt text, none an agent name. */
  literal: boolean;
}

/** `agentry run` with its arguments parsed (see `runCommand`). */
export async function runWith(
  first: string | undefined,
  rest: string[],
  options: RunOptions,
  facts: RunArgvFacts,
): Promise<ExitCodeValue> {
  applyJsonFlag(options, facts.outputGiven);
  enterWorkingDirectory(options.cd);
  const cwd = process.cwd();
  const session = await openCliRun(options);
  try {
    if (options.ephemeral && session.approve === "defer") {
      throw new UsageError("--ephemeral cannot be combined with --approve defer", {
        hint: "a deferred run is saved so that `agentry resume` can continue it, and --ephemeral saves nothing; drop --ephemeral, or use --approve deny|ask|auto",
      });
    }
    const conversation = sessionForRun(options, session.stateDir, cwd);
    const { target, promptWords } = chooseTarget(session.loaded.config, {
      first,
      rest,
      agent: options.agent,
      literal: facts.literal,
      continued: conversation?.agent,
    });
    const prompt = await readPrompt(promptWords);
    if (
      session.source.kind === "zero-config" &&
      session.source.plan.modelSource === "default" &&
      !options.quiet
    ) {
      writeInfo(`${describeConfigSource(session.source)}; pass --model or set AGENTRY_MODEL to choose`);
    }
    const result = await session.runtime.run({
      ...requestFromFlags(options),
      ...(target !== undefined ? { target } : {}),
      ...(conversation ? { session: conversation.id } : {}),
      prompt,
      approve: session.approve,
      signal: session.signal,
      onEvent: listenerFor(session.renderer, options),
    });
    rememberRunSession(session.stateDir, cwd, conversation);
    return exitCodeAfterRefusals(result.exitCode, result.refusedCalls, options);
  } finally {
    await session.close();
  }
}
