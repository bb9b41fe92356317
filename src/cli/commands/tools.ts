import type { ExitCodeValue } from "../../spec/exit-codes.ts";
import { unavailable } from "../unavailable.ts";

/** `agentry tools`: being built (issue 2). */
export default async function toolsCommand(): Promise<ExitCodeValue> {
  unavailable("tools", "configuration loading is not built yet");
}
