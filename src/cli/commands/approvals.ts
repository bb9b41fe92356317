import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry approvals`: not part of this build yet. */
export default async function approvalsCommand(): Promise<ExitCodeValue> {
  unavailable("approvals", "deferred approvals are not built yet");
}
