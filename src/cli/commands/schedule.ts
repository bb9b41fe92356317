import type { Command } from "commander";
import { systemClock } from "../../clock/system-clock.ts";
import { loadConfig } from "../../config/loader.ts";
import { namedEntry } from "../../config/named-entry.ts";
import type { ScheduleConfig } from "../../config/schema.ts";
import { suggest } from "../../config/suggest.ts";
import { FileFireStateStore } from "../../schedule/fire-state.ts";
import { runForeground, runOnce, type ScheduleHost } from "../../schedule/foreground.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { createCliRuntime } from "../cli-runtime.ts";
import { findConfigPath } from "../config-path.ts";
import { handleInterrupts } from "../interrupts.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";

/** Options of `agentry schedule`. */
export interface ScheduleOptions extends CommonOptions {
  /** Fire every (selected) schedule once now and exit. */
  once?: boolean;
  /** Only these schedules (repeatable). */
  only: string[];
  approve?: "deny" | "defer" | "auto";
}

/**
 * `agentry schedule`: runs `[schedules.*]` in the foreground. Each run goes through the runtime
 * (governed and audited); stdout gets one JSON line per run, stderr the progress. SIGINT/SIGTERM
 * abort running runs and flush the audit log; SIGTERM, the way a service manager stops the
 * scheduler, is a clean stop (exit 0), SIGINT exits 130; a second signal exits 130 at once.
 */
export default async function scheduleCommand(
  options: ScheduleOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  const loaded = await loadConfig(findConfigPath(options.config));
  const schedules = select(loaded.config.schedules ?? {}, options.only);
  const runtime = createCliRuntime(loaded);
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const removeHandlers = handleInterrupts({
    controller,
    flushSync: () => runtime.flushSync(),
    signals: ["SIGINT", "SIGTERM"],
    notice: (name) => {
      stoppedBy ??= name;
      return `${name}: stopping running schedules and flushing the audit log (again to exit now)`;
    },
  });
  const host: ScheduleHost = {
    runtime,
    schedules,
    approve: options.approve ?? approveDefault(loaded.config.defaults?.approve),
    signal: controller.signal,
    clock: systemClock,
    writeLine: (line) => writeAnswer(`${JSON.stringify(line)}\n`),
    progress: (text) => {
      if (!options.quiet) writeInfo(text);
    },
    warn: writeInfo,
  };
  try {
    if (options.once) return await runOnce(host);
    const state = new FileFireStateStore(resolveStateDir(loaded.config.defaults?.state_dir), (message) =>
      writeInfo(`warning: ${message}`),
    );
    const code = await runForeground(host, state);
    return stoppedBy === "SIGTERM" && code === ExitCode.interrupted ? ExitCode.ok : code;
  } finally {
    removeHandlers();
    await runtime.close();
  }
}

function approveDefault(configured: string | undefined): "deny" | "defer" | "auto" {
  return configured === "defer" || configured === "auto" ? configured : "deny";
}

function select(all: Record<string, ScheduleConfig>, only: string[]): Record<string, ScheduleConfig> {
  const names = Object.keys(all);
  if (names.length === 0) {
    throw new UsageError("the configuration declares no [schedules.*]", {
      hint: '[schedules.nightly]\ncron = "0 3 * * *"\nagent = "ops"\nprompt = "…"',
    });
  }
  if (only.length === 0) return all;
  const selected: Record<string, ScheduleConfig> = {};
  for (const name of only) {
    const schedule = namedEntry(all, name);
    if (!schedule) {
      const guess = suggest(name, names);
      throw new UsageError(
        `unknown schedule "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}; declared: ${names.join(", ")}`,
      );
    }
    selected[name] = schedule;
  }
  return selected;
}
