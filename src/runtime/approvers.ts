import type { ApproveMode } from "../config/schema.ts";
import type { Approver } from "../spec/approval.ts";

/** `--approve deny`: every call that needs approval is refused (the default without a TTY). */
export const denyAll: Approver = async () => ({
  decision: "deny",
  by: "policy:--approve deny",
  reason: "approval is required and this run cannot ask (non-interactive; use --approve ask|defer|auto)",
});

/** `--approve auto`: everything approved, audited as such. */
export const approveAll: Approver = async () => ({
  decision: "approve",
  scope: "once",
  by: "policy:--approve auto",
});

/** `--approve defer`: nobody decides now; the run saves its state and exits 5. */
export const deferAll: Approver = async () => ({ decision: "defer" });

/** Picks the approver for a mode; `ask` needs the host's interactive approver, else it denies. */
export function approverFor(mode: ApproveMode, ask?: Approver): Approver {
  switch (mode) {
    case "ask":
      return ask ?? denyAll;
    case "deny":
      return denyAll;
    case "defer":
      return deferAll;
    case "auto":
      return approveAll;
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}
