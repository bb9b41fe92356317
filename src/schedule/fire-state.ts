import { join } from "node:path";
import { z } from "zod";
import { readJsonIfExists, writeJsonAtomic } from "../state/json-file.ts";

const entrySchema = z.object({
  checked_until: z.iso.datetime(),
  last_fire: z.iso.datetime().optional(),
});

const fileSchema = z.object({ version: z.literal(1), schedules: z.record(z.string(), entrySchema) });

/**
 * What the scheduler remembers of one schedule across restarts. `checkedUntil` is the instant up
 * to which every fire time was handled (fired, or skipped on purpose); a fire time after it that
 * is already past on start-up was missed while agentry was not running.
 */
export interface FireRecord {
  checkedUntil: number;
  lastFire?: number;
}

/** Where fire records live; an interface so tests can keep them in memory. */
export interface FireStateStore {
  get(schedule: string): FireRecord | undefined;
  set(schedule: string, record: FireRecord): void;
}

/**
 * Fire records in `<stateDir>/schedules.json`, keyed by schedule name, rewritten atomically on
 * each change. A missing file is an empty store; an unreadable or malformed one is reported
 * through `onInvalid` and treated as empty (the records only decide missed-run catch-up).
 */
export class FileFireStateStore implements FireStateStore {
  readonly path: string;
  private readonly records = new Map<string, FireRecord>();

  constructor(stateDir: string, onInvalid: (message: string) => void = () => {}) {
    this.path = join(stateDir, "schedules.json");
    let raw: unknown;
    try {
      raw = readJsonIfExists(this.path);
    } catch (err) {
      onInvalid(
        `cannot read ${this.path} (${err instanceof Error ? err.message : String(err)}); starting fresh`,
      );
      return;
    }
    if (raw === undefined) return;
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      onInvalid(`${this.path} is not a schedule state file; starting fresh`);
      return;
    }
    for (const [name, entry] of Object.entries(parsed.data.schedules)) {
      this.records.set(name, {
        checkedUntil: Date.parse(entry.checked_until),
        ...(entry.last_fire ? { lastFire: Date.parse(entry.last_fire) } : {}),
      });
    }
  }

  get(schedule: string): FireRecord | undefined {
    return this.records.get(schedule);
  }

  set(schedule: string, record: FireRecord): void {
    this.records.set(schedule, record);
    const schedules: Record<string, z.input<typeof entrySchema>> = {};
    for (const [name, entry] of this.records) {
      schedules[name] = {
        checked_until: new Date(entry.checkedUntil).toISOString(),
        ...(entry.lastFire !== undefined ? { last_fire: new Date(entry.lastFire).toISOString() } : {}),
      };
    }
    writeJsonAtomic(this.path, { version: 1, schedules });
  }
}
