import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry audit show`: not part of this build yet. */
export default async function auditShowCommand(): Promise<ExitCodeValue> {
  unavailable("audit show", "the audit log is not built yet");
}
