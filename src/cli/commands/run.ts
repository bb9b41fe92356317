import type { Command } from "commander";
import { namedEntry } from "../../config/named-entry.ts";
import { UsageError } from "../../spec/errors.ts";
import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import type { RunOptions } from "../main.ts";
import { readPrompt } from "../prompt-input.ts";
import { exitCodeAfterRefusals, requestFromFlags } from "../run-options.ts";
import { listenerFor, openCliRun } from "../run-session.ts";

/**
 * `agentry run [AGENT|FLOW] [PROMPT...]`. When the first word is not a known agent or flow it
 * is part of the prompt and `[defaults].agent` runs.
 */
export default async function runCommand(
  target: string | undefined,
  words: string[],
  options: RunOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  const session = await openCliRun(options);
  try {
    if (options.ephemeral && session.approve === "defer") {
      throw new UsageError("--ephemeral cannot be combined with --approve defer", {
        hint: "a deferred run is saved so that `agentry resume` can continue it, and --ephemeral saves nothing; drop --ephemeral, or use --approve deny|ask|auto",
      });
    }
    const { config } = session.loaded;
    const known =
      target !== undefined &&
      (namedEntry(config.agents, target) !== undefined || namedEntry(config.flows, target) !== undefined);
    const promptWords = known || target === undefined ? words : [target, ...words];
    const prompt = await readPrompt(promptWords);
    const result = await session.runtime.run({
      ...requestFromFlags(options),
      ...(known ? { target } : {}),
      prompt,
      approve: session.approve,
      signal: session.signal,
      onEvent: listenerFor(session.renderer, options),
    });
    return exitCodeAfterRefusals(result.exitCode, result.refusedCalls, options);
  } finally {
    await session.close();
  }
}
