import type { Command } from "commander";
import { parseDuration } from "../../config/units.ts";
import { startWorker } from "../../queue/worker-host.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { createCliRuntime } from "../cli-runtime.ts";
import { writeInfo } from "../output.ts";
import { openCliQueue, type QueueOptions } from "../queue-session.ts";
import { restartForManyRuns } from "../start-up-settings.ts";

interface WorkerOptions extends QueueOptions {
  concurrency: string;
  approve?: "deny" | "defer" | "auto";
  grace: string;
}

/**
 * `agentry worker --queue URL [--concurrency N]`: takes jobs from the queue and runs them with
 * the local configuration (same governance, audit and budgets) until stopped. SIGTERM or SIGINT
 * stops taking jobs and lets running ones finish for `--grace`, then hands the rest back to the
 * queue; a second signal hands them back at once. Exits 0 after a stop.
 */
export default async function workerCommand(
  options: WorkerOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency <= 0)
    throw new UsageError(`--concurrency: expected a positive integer, found "${options.concurrency}"`);
  const graceMs = parseDuration(options.grace);
  if (graceMs === undefined)
    throw new UsageError(`--grace: expected a duration such as 30s, found "${options.grace}"`);
  restartForManyRuns(concurrency, { ftl: true });
  const { client, loaded } = await openCliQueue(options, { configRequired: true });
  if (!loaded) throw new UsageError("agentry worker needs a configuration");
  const configured = loaded.config.defaults?.approve;
  const approve = options.approve ?? (configured && configured !== "ask" ? configured : "defer");
  const runtime = createCliRuntime(
    loaded,
    options.verbose ? { log: (line: Record<string, unknown>) => writeInfo(JSON.stringify(line)) } : {},
    concurrency,
  );
  const host = await startWorker({
    client,
    runtime,
    config: loaded.config,
    concurrency,
    approve,
    onFinished: (line, ms) => {
      if (!options.quiet) writeInfo(`${line.status} ${line.id} (${Math.round(ms)} ms)`);
    },
    onError: (message) => writeInfo(`worker: ${message}`),
    onNotice: (message) => {
      if (!options.quiet) writeInfo(message);
    },
  });
  if (!options.quiet)
    writeInfo(
      `worker ${host.name} on ${client.target.display} (queue ${client.target.name}), concurrency ${concurrency}, --approve ${approve}`,
    );
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      if (!options.quiet)
        writeInfo(`${signal}: finishing running jobs (up to ${options.grace}), then handing the rest back`);
      host.stop(graceMs);
    } else {
      if (!options.quiet) writeInfo(`${signal}: handing running jobs back to the queue now`);
      host.handBack();
    }
  };
  const signalNames: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];
  for (const name of signalNames) process.on(name, onSignal);
  try {
    await host.stopped;
  } finally {
    for (const name of signalNames) process.off(name, onSignal);
    await client.close();
    await runtime.close();
  }
  if (!options.quiet) writeInfo(`worker ${host.name} stopped`);
  return ExitCode.ok;
}
