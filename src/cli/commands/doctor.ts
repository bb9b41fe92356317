import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry doctor`: being built (issue 2). */
export default async function doctorCommand(): Promise<ExitCodeValue> {
  unavailable("doctor", "configuration loading is not built yet");
}
