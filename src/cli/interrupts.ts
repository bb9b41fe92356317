import { ExitCode } from "../spec/exit-codes.ts";
import { RunStop } from "../spec/run-stop.ts";
import { writeInfo } from "./output.ts";

/**
 * Ctrl-C handling of long-running commands: the first signal aborts `controller` with an
 * `interrupted` stop (tools are killed, state saved, audit flushed by the command), a second one
 * flushes the audit log synchronously and exits 130 at once. Returns the function that removes
 * the handlers.
 */
export function handleInterrupts(options: {
  controller: AbortController;
  flushSync(): void;
  signals: NodeJS.Signals[];
  /** What to tell the user on the first signal; nothing when undefined. */
  notice(signal: NodeJS.Signals): string | undefined;
}): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received > 1) {
      options.flushSync();
      writeInfo("interrupted again: exiting now");
      process.exit(ExitCode.interrupted);
    }
    const notice = options.notice(signal);
    if (notice !== undefined) writeInfo(notice);
    options.controller.abort(new RunStop("interrupted"));
  };
  for (const signal of options.signals) process.on(signal, onSignal);
  return () => {
    for (const signal of options.signals) process.off(signal, onSignal);
  };
}
