import type { RunStatus, StopReason } from "../spec/events.ts";
import { ExitCode, type ExitCodeValue } from "../spec/exit-codes.ts";

/** Maps how a run ended onto the exit-code table of SPEC §2. */
export function exitCodeFor(
  status: RunStatus,
  stopReason: StopReason,
  providerExitCode?: ExitCodeValue,
): ExitCodeValue {
  switch (status) {
    case "ok":
      return ExitCode.ok;
    case "awaiting_approval":
      return ExitCode.awaitingApproval;
    case "interrupted":
      return ExitCode.interrupted;
    case "stopped":
      return ExitCode.policy;
    case "failed":
      return stopReason === "provider_error" && providerExitCode !== undefined
        ? providerExitCode
        : ExitCode.agentFailed;
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}
