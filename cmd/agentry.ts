#!/usr/bin/env bun
/**
 * The `agentry` executable. `--version` is answered before anything else is loaded so it stays
 * instant; every other command goes through the lazily-loading CLI.
 */
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  const { buildInfo } = await import("../src/cli/build-info.ts");
  process.stdout.write(`agentry ${buildInfo.version}\n`);
} else {
  const { main } = await import("../src/cli/main.ts");
  await main(argv);
  // The command is done: exit now rather than when the event loop empties, so a tool call that
  // ignored cancellation and was abandoned (a blocking read, a process that escaped its group)
  // cannot keep agentry alive past a deadline or a Ctrl-C. Output is flushed first.
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write("", done))),
  );
  process.exit();
}

export {};
