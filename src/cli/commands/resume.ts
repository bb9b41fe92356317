import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry resume`: not part of this build yet. */
export default async function resumeCommand(): Promise<ExitCodeValue> {
  unavailable("resume", "deferred approvals are not built yet");
}
