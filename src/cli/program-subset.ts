import type { Command } from "commander";

/**
 * Start-up: commander builds every subcommand's options when it is declared, ≈ 3 ms of CPU for
 * the thirty commands in the compiled binary before `agentry run` can send its first request
 * (docs/benchmarks/turns.md). When argv names a subcommand, only that one needs to exist: this
 * makes `program.command(name)` declare the named command as usual and hand back an inert
 * stand-in for every other one, which accepts the same builder calls and builds nothing.
 * Parsing, help and errors of the named command are those of the full program (pinned by
 * test/cli/program-subset.test.ts); the caller builds the full program when nothing matched.
 */
export function declareOnly(program: Command, name: string): Command {
  const declare = program.command.bind(program);
  const inert: Command = new Proxy({} as Command, {
    get: (_target, key) => (key === "options" || key === "commands" ? [] : () => inert),
  });
  program.command = ((nameAndArgs: string, ...rest: unknown[]) =>
    nameAndArgs.split(" ")[0] === name
      ? (declare as (...args: unknown[]) => Command)(nameAndArgs, ...rest)
      : inert) as Command["command"];
  return program;
}
