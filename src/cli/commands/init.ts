import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry init`: being built (issue 2). */
export default async function initCommand(): Promise<ExitCodeValue> {
  unavailable("init", "configuration loading is not built yet");
}
