import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry agents`: being built (issue 2). */
export default async function agentsCommand(): Promise<ExitCodeValue> {
  unavailable("agents", "configuration loading is not built yet");
}
