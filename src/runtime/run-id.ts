import { randomHex } from "../digest/random.ts";

/** A sortable, unique run id: `r` + UTC timestamp + random suffix, e.g. `r20261123T204833-9f3a1c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "");
  return `r${stamp}-${randomHex(3)}`;
}
