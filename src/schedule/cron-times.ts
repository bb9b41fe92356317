import { Cron } from "croner";

/** The fire times of one cron expression in one time zone. */
export interface CronTimes {
  /** The first fire time strictly after `after`, or undefined when the expression never fires again. */
  next(after: Date): Date | undefined;
}

/**
 * Wraps croner as a pure calculator (paused, no callback, no timers, no global job registry), so
 * the scheduler owns every timer and tests can drive it with a fake clock. `timezone` is an IANA
 * zone; the host's zone when omitted. Throws croner's error for an invalid expression (the config
 * loader has already rejected those).
 */
export function cronTimes(cron: string, timezone?: string): CronTimes {
  const job = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) });
  return {
    next: (after) => job.nextRun(after) ?? undefined,
  };
}
