import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry batch`: not part of this build yet. */
export default async function batchCommand(): Promise<ExitCodeValue> {
  unavailable("batch", "batch runs are not built yet");
}
