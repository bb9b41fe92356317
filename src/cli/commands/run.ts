import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry run`: not part of this build yet. */
export default async function runCommand(): Promise<ExitCodeValue> {
  unavailable("run", "the agent loop is not built yet");
}
