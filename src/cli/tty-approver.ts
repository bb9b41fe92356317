import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { RunStop } from "../agent/run-stop.ts";
import type { ApprovalDecision, ApprovalRequest, Approver } from "../spec/approval.ts";
import { currentUser } from "./current-user.ts";
import { preview } from "./render/format.ts";

/**
 * `--approve ask`: asks on the terminal. Questions from concurrent agents queue, so each is
 * answered exactly once, in order, while other agents keep running.
 */
export function ttyApprover(
  input: Readable,
  output: Writable,
  user = currentUser(),
): { approver: Approver; close(): void } {
  let queue: Promise<unknown> = Promise.resolve();
  let lines: ReturnType<typeof createInterface> | undefined;
  const pending: ((line: string | undefined) => void)[] = [];
  const unread: string[] = [];
  let closed = false;
  const open = () => {
    if (lines) return;
    lines = createInterface({ input, terminal: false });
    lines.on("line", (line) => {
      const waiting = pending.shift();
      if (waiting) waiting(line);
      else unread.push(line);
    });
    lines.on("close", () => {
      closed = true;
      for (const resolve of pending.splice(0)) resolve(undefined);
    });
  };
  const ask = (question: string, signal: AbortSignal) =>
    new Promise<string | undefined>((resolve) => {
      open();
      output.write(question);
      const typedAhead = unread.shift();
      if (typedAhead !== undefined || closed) {
        resolve(typedAhead);
        return;
      }
      const onAbort = () => {
        pending.splice(pending.indexOf(resolveLine), 1);
        resolve(undefined);
      };
      const resolveLine = (line: string | undefined) => {
        signal.removeEventListener("abort", onAbort);
        resolve(line);
      };
      pending.push(resolveLine);
      signal.addEventListener("abort", onAbort, { once: true });
    });

  const decide = async (request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> => {
    output.write(
      `\napproval needed (${request.approvalId}): agent ${request.agent} wants to call ${request.tool}\n  ${preview(request.args, 300)}\n  why: ${request.why}\n`,
    );
    while (!signal.aborted) {
      const answer = (await ask("  [y]es / [n]o / [a]lways for this run > ", signal))?.trim().toLowerCase();
      if (answer === undefined) {
        return signal.aborted
          ? stopped(signal)
          : { decision: "deny", by: user, reason: "no answer (input closed)" };
      }
      if (answer === "y" || answer === "yes") return { decision: "approve", scope: "once", by: user };
      if (answer === "a" || answer === "always") return { decision: "approve", scope: "run", by: user };
      if (answer === "n" || answer === "no") {
        const reason = (await ask("  reason for the agent (optional) > ", signal))?.trim();
        return { decision: "deny", by: user, ...(reason ? { reason } : {}) };
      }
    }
    return stopped(signal);
  };

  return {
    approver: (request, signal) => {
      const turn = queue.then(() => decide(request, signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    close: () => lines?.close(),
  };
}

/**
 * The outcome of a question the run stopped while it was open (Ctrl-C, timeout, a cancelled
 * sibling): recorded as the interruption it is, `by: "interrupt"`, never as a person's denial.
 */
function stopped(signal: AbortSignal): ApprovalDecision {
  const why = signal.reason instanceof RunStop ? signal.reason.reason : "cancelled";
  return {
    decision: "deny",
    by: "interrupt",
    reason: `no decision: the run was ${why} while the question was open`,
  };
}
