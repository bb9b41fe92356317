import { ExitCode, type ExitCodeValue } from "../spec/exit-codes.ts";
import { isBrokenPipe, watchStdout, writeInfo } from "./output.ts";
import { renderError } from "./render-error.ts";

/**
 * Runs a command and sets the documented exit code: the command's own; 141 when the reader of
 * stdout went away (the command stopped quietly, as `SIGPIPE` would end it); for an error, the
 * code `usageError` gives it (commander's own errors, already printed) or else the one
 * `renderError` picks, the error printed to stderr (with its stack when `verbose`).
 */
export async function settleCommand(
  command: () => Promise<ExitCodeValue>,
  options: { verbose: boolean; usageError?: (err: unknown) => ExitCodeValue | undefined },
): Promise<void> {
  let stdoutClosed = false;
  watchStdout((err) => {
    if (!isBrokenPipe(err)) throw err;
    stdoutClosed = true;
  });
  try {
    const code = await command();
    process.exitCode = stdoutClosed ? ExitCode.outputClosed : code;
  } catch (err) {
    const usage = options.usageError?.(err);
    if (usage !== undefined) {
      process.exitCode = usage;
      return;
    }
    const { text, exitCode } = renderError(err, options.verbose);
    writeInfo(text);
    process.exitCode = exitCode;
  }
}

/** `-v` / `--verbose` anywhere in argv (stack traces in error output). */
export function verboseIn(argv: readonly string[]): boolean {
  return argv.includes("-v") || argv.includes("--verbose");
}
