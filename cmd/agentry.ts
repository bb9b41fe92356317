#!/usr/bin/env bun
/**
 * The `agentry` executable. `--version` is answered before anything else is loaded so it stays
 * instant; so is the hidden `__sandbox-bridge` (agentry re-executed inside a sandbox to carry its
 * network to the proxy, src/sandbox/network/bridge.ts), which must start before the command does.
 * Every other command goes through the lazily-loading CLI.
 */
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  const { buildInfo } = await import("../src/cli/build-info.ts");
  process.stdout.write(`agentry ${buildInfo.version}\n`);
} else if (argv[0] === "__sandbox-bridge") {
  const { runBridge } = await import("../src/sandbox/network/bridge.ts");
  const exit = await runBridge(argv.slice(1));
  if ("signal" in exit) process.kill(process.pid, exit.signal);
  process.exit("code" in exit ? exit.code : 128);
} else {
  const { flushOutput, startCli } = await import("../src/cli/start.ts");
  await startCli(argv);
  // The command is done: exit now rather than when the event loop empties, so a tool call that
  // ignored cancellation and was abandoned (a blocking read, a process that escaped its group)
  // cannot keep agentry alive past a deadline or a Ctrl-C. Output is flushed first.
  await flushOutput();
  process.exit();
}

export {};
