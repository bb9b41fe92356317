import { runProbe } from "../../sandbox/check/probe.ts";
import type { ExitCodeValue } from "../../spec/exit-codes.ts";

/** The hidden `agentry __sandbox-probe KIND ARGS…` that `agentry sandbox check` runs inside a sandbox. */
export default async function sandboxProbeCommand(args: string[]): Promise<ExitCodeValue> {
  return (await runProbe(args)) === 0 ? 0 : 1;
}
