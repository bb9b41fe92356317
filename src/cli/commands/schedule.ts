import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry schedule`: not part of this build yet. */
export default async function scheduleCommand(): Promise<ExitCodeValue> {
  unavailable("schedule", "schedules are not built yet");
}
