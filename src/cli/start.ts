import { stdoutStream } from "./output.ts";
import { parseRunArgv } from "./run-argv.ts";
import { settleCommand, verboseIn } from "./settle-command.ts";

/**
 * The CLI's entry: `agentry run` in the plain forms `parseRunArgv` reads goes straight to the
 * run command, without loading commander; everything else (other commands, help, anything
 * `parseRunArgv` declines) goes through commander (`main`). Either way the command settles
 * with the same exit codes and error output (`settleCommand`).
 */
export async function startCli(argv: string[]): Promise<void> {
  const run = argv[0] === "run" ? parseRunArgv(argv.slice(1)) : undefined;
  if (!run) {
    const { main } = await import("./main.ts");
    return main(argv);
  }
  await settleCommand(
    async () => {
      const { runWith } = await import("./commands/run.ts");
      return runWith(run.first, run.rest, run.options, { outputGiven: run.outputGiven, literal: false });
    },
    { verbose: verboseIn(argv) },
  );
}

/** Resolves once stdout and stderr have handed over everything written to them (before exiting). */
export async function flushOutput(): Promise<void> {
  await Promise.all(
    [stdoutStream(), process.stderr].map((stream) => new Promise((done) => stream.write("", done))),
  );
}
