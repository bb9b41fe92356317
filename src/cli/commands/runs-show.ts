import { buildRunTree } from "../../observe/run-tree.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { type RunRecords, runIsGoing } from "../../state/run-records.ts";
import type { CommonOptions } from "../main.ts";
import { colorDisabled, writeInfo } from "../output.ts";
import { renderWaterfall } from "../render/waterfall-text.ts";
import type { CommandWithGlobals } from "./audit-verify.ts";
import { openRecordedRun } from "./runs-store.ts";

/** Options of `agentry runs show`. */
export interface RunsShowOptions extends CommonOptions {
  follow?: boolean;
}

const POLL_MS = 250;
const CLEAR = "\u001b[H\u001b[2J";

/**
 * `agentry runs show ID [--follow]`: the run's waterfall on stdout, coloured on a TTY. With
 * `--follow`, a run still going is redrawn as its record grows (on a TTY; otherwise drawn once
 * when it ends), until it ends or the process running it is gone.
 */
export default async function runsShowCommand(
  id: string,
  ownOptions: RunsShowOptions,
  command?: CommandWithGlobals,
): Promise<ExitCodeValue> {
  const { options, records, summary } = await openRecordedRun(id, ownOptions, command);
  const runId = summary.run_id;
  const tty = Boolean(process.stdout.isTTY);
  const color = tty && !colorDisabled();
  if (!options.follow || !runIsGoing(records.summary(runId))) {
    process.stdout.write(draw(records, runId, color));
    return ExitCode.ok;
  }
  if (!tty && !options.quiet) writeInfo(`following run ${runId} until it ends…`);
  let shown = "";
  while (runIsGoing(records.summary(runId))) {
    if (tty) {
      const frame = draw(records, runId, color);
      if (frame !== shown) process.stdout.write(`${CLEAR}${frame}`);
      shown = frame;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  process.stdout.write(`${tty ? CLEAR : ""}${draw(records, runId, color)}`);
  return ExitCode.ok;
}

function draw(records: RunRecords, runId: string, color: boolean): string {
  const summary = records.summary(runId);
  const tree = buildRunTree(records.events(runId));
  if (!tree) return `run ${runId}: no events recorded yet\n`;
  return renderWaterfall(tree, {
    color,
    ...(summary?.exit_code !== undefined ? { exitCode: summary.exit_code } : {}),
  });
}
