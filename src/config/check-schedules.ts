import type { SemanticInput } from "./issue-report.ts";

/**
 * Checks every schedule's cron expression (with croner, loaded only when schedules exist) and
 * IANA timezone (with `Intl`). Targets are checked by `checkReferences`.
 */
export async function checkSchedules({ config, report }: SemanticInput): Promise<void> {
  const schedules = Object.entries(config.schedules ?? {});
  if (schedules.length === 0) return;
  const { Cron } = await import("croner");
  for (const [name, schedule] of schedules) {
    let zoneOk = true;
    if (schedule.timezone !== undefined && !isTimeZone(schedule.timezone)) {
      zoneOk = false;
      report(["schedules", name, "timezone"], {
        message: "unknown timezone",
        expected: 'an IANA timezone such as "UTC" or "Europe/Berlin"',
        found: JSON.stringify(schedule.timezone),
      });
    }
    try {
      new Cron(schedule.cron, {
        paused: true,
        ...(zoneOk && schedule.timezone ? { timezone: schedule.timezone } : {}),
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
      report(["schedules", name, "cron"], {
        message: `invalid cron expression: ${reason}`,
        expected:
          'five fields "minute hour day-of-month month day-of-week" (optionally seconds first), e.g. "0 3 * * *"',
        found: JSON.stringify(schedule.cron),
      });
    }
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
