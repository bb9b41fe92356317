import type { Command } from "commander";
import type { LoadedConfig } from "../../config/loader.ts";
import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import type { DeferredRun, DeferredRunStore } from "../../state/deferred-runs.ts";
import type { RunOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { madeWithOtherFile } from "../run-configuration.ts";
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
    warnOfOtherConfiguration(session.runtime.deferred, runId, session.loaded);
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

/**
 * Warns when the run was made with another configuration file than the one given: it continues
 * under this one's tools, policy and audit log (its audit chain then starts over in another file).
 */
function warnOfOtherConfiguration(store: DeferredRunStore, runId: string, loaded: LoadedConfig): void {
  let run: DeferredRun;
  try {
    run = store.load(runId);
  } catch {
    return;
  }
  if (run.status === "awaiting_approval" && madeWithOtherFile(run, loaded))
    writeInfo(
      `warning: run ${runId} was made with ${run.config}; it continues with ${loaded.path} (pass -c ${run.config} to continue it as it was made)`,
    );
}
