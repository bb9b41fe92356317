import type { Clock } from "../spec/clock.ts";

export { systemClock } from "../clock/system-clock.ts";

/** The part of the one `Clock` (src/spec/clock.ts) the pipeline's layers use. */
export type PipelineClock = Pick<Clock, "now" | "setTimeout" | "clearTimeout">;
