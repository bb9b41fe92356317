import type { Command } from "commander";
import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import type { RunOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { exitCodeAfterRefusals, requestFromFlags } from "../run-options.ts";
import { listenerFor, openCliRun } from "../run-session.ts";

/**
 * `agentry resume RUN_ID`: executes the decided calls of a deferred run exactly once and
 * continues it. Resuming a finished run prints its result and changes nothing.
 */
export default async function resumeCommand(
  runId: string,
  options: RunOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  const session = await openCliRun(options);
  try {
    const { vars, model, maxTurns, timeoutMs, budget } = requestFromFlags(options);
    const result = await session.runtime.resume(runId, {
      ...(vars ? { vars } : {}),
      ...(model ? { model } : {}),
      ...(maxTurns ? { maxTurns } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(budget ? { budget } : {}),
      approve: session.approve,
      signal: session.signal,
      onEvent: listenerFor(session.renderer, options),
    });
    if (result.alreadyFinished) {
      writeInfo(`run ${runId} already finished (${result.status}: ${result.stopReason}); nothing to do`);
      if (options.output === "text")
        writeAnswer(result.answer.endsWith("\n") ? result.answer : `${result.answer}\n`);
    }
    return exitCodeAfterRefusals(result.exitCode, result.refusedCalls, options);
  } finally {
    await session.close();
  }
}
