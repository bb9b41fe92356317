import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry validate`: being built (issue 2). */
export default async function validateCommand(): Promise<ExitCodeValue> {
  unavailable("validate", "configuration loading is not built yet");
}
