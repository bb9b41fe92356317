import type { ApproveMode, ScheduleConfig } from "../config/schema.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { ExitCode, type ExitCodeValue } from "../spec/exit-codes.ts";
import { cronTimes } from "./cron-times.ts";
import type { FireStateStore } from "./fire-state.ts";
import { type RunTrigger, runSchedule, type ScheduleLine } from "./schedule-run.ts";
import { type ScheduleClock, type ScheduledJob, Scheduler, type SchedulerNotice } from "./scheduler.ts";

/** What both modes of `agentry schedule` need. */
export interface ScheduleHost {
  runtime: Runtime;
  /** The schedules to run, by name (already narrowed by `--only`). */
  schedules: Record<string, ScheduleConfig>;
  approve: ApproveMode;
  /** Aborted on SIGINT/SIGTERM: running runs are cancelled and the command ends with 130. */
  signal: AbortSignal;
  clock: ScheduleClock;
  /** One JSON line per finished run (stdout). */
  writeLine(line: ScheduleLine): void;
  /** Human progress (stderr; `-q` silences it). */
  progress(text: string): void;
  /** Warnings: skipped overlaps, missed runs (stderr, always shown). */
  warn(text: string): void;
}

/**
 * `agentry schedule`: runs every schedule on its cron times until interrupted (exit 130) or until
 * no schedule can fire again (exit 0, or 1 when a run did not end `ok`).
 */
export async function runForeground(host: ScheduleHost, state: FireStateStore): Promise<ExitCodeValue> {
  let notOk = 0;
  const jobs: ScheduledJob[] = Object.entries(host.schedules).map(([name, schedule]) => ({
    name,
    times: cronTimes(schedule.cron, schedule.timezone),
    missed: schedule.missed ?? "skip",
  }));
  const scheduler = new Scheduler({
    jobs,
    clock: host.clock,
    state,
    notice: (notice) => {
      const text = describeNotice(notice, host.schedules);
      if (notice.type === "overlap" || notice.type === "missed") host.warn(text);
      else host.progress(text);
    },
    fire: async (job, at, trigger, signal) => {
      const ok = await fireOne(host, job.name, at, trigger, signal);
      if (!ok) notOk += 1;
    },
  });
  const onAbort = () => void scheduler.stop(host.signal.reason);
  if (host.signal.aborted) return ExitCode.interrupted;
  host.signal.addEventListener("abort", onAbort, { once: true });
  try {
    scheduler.start();
    await scheduler.done();
  } finally {
    host.signal.removeEventListener("abort", onAbort);
  }
  if (host.signal.aborted) return ExitCode.interrupted;
  return notOk === 0 ? ExitCode.ok : ExitCode.agentFailed;
}

/**
 * `agentry schedule --once`: fires every schedule once now, concurrently, and returns 0 when all
 * ended `ok`; else the exit code of the first schedule (in config order) that did not; 130 when
 * interrupted. Cron times and missed-run records are neither consulted nor changed.
 */
export async function runOnce(host: ScheduleHost): Promise<ExitCodeValue> {
  const at = new Date(host.clock.epochMs());
  const codes = await Promise.all(
    Object.entries(host.schedules).map(async ([name, schedule]) => {
      host.progress(`${name}: running ${schedule.agent} now (--once)`);
      const outcome = await runSchedule(host.runtime, name, schedule, {
        at,
        trigger: "once",
        approve: host.approve,
        signal: host.signal,
      });
      report(host, outcome.line);
      return outcome.exitCode;
    }),
  );
  if (host.signal.aborted) return ExitCode.interrupted;
  return codes.find((code) => code !== ExitCode.ok) ?? ExitCode.ok;
}

async function fireOne(
  host: ScheduleHost,
  name: string,
  at: Date,
  trigger: RunTrigger,
  signal: AbortSignal,
): Promise<boolean> {
  const schedule = host.schedules[name] as ScheduleConfig;
  host.progress(`${name}: running ${schedule.agent}${trigger === "missed" ? " (missed run)" : ""}`);
  const outcome = await runSchedule(host.runtime, name, schedule, {
    at,
    trigger,
    approve: host.approve,
    signal,
  });
  report(host, outcome.line);
  return outcome.line.status === "ok";
}

function report(host: ScheduleHost, line: ScheduleLine): void {
  host.writeLine(line);
  const detail = line.error ? `: ${line.error.message}` : "";
  host.progress(`${line.schedule}: ${line.status} (${line.stop_reason})${detail}`);
}

/** One progress line for a scheduler notice, times shown in the schedule's zone. */
export function describeNotice(notice: SchedulerNotice, schedules: Record<string, ScheduleConfig>): string {
  const zone = schedules[notice.job]?.timezone;
  switch (notice.type) {
    case "next":
      return `${notice.job}: next run ${showTime(notice.at, zone)}`;
    case "overlap":
      return `${notice.job}: warning: skipped the run due ${showTime(notice.at, zone)}: the previous run is still going`;
    case "missed":
      return `${notice.job}: warning: missed run(s) since ${showTime(notice.since, zone)} (first due ${showTime(notice.first, zone)}): ${
        notice.action === "run_once" ? "running once now (missed = run_once)" : "skipped (missed = skip)"
      }`;
    case "finished":
      return `${notice.job}: no further fire times`;
  }
}

function showTime(at: Date, zone: string | undefined): string {
  const local = at.toLocaleString("sv-SE", { ...(zone ? { timeZone: zone } : {}), hour12: false });
  return `${local} ${zone ?? "local time"}`;
}
