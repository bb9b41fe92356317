import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry audit verify`: not part of this build yet. */
export default async function auditVerifyCommand(): Promise<ExitCodeValue> {
  unavailable("audit verify", "the audit log is not built yet");
}
