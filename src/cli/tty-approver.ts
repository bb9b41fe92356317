import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { interruptedDecision } from "../middleware/approval/ask.ts";
import type { ApprovalDecision, ApprovalRequest, Approver } from "../spec/approval.ts";
import { currentUser } from "./current-user.ts";
import { oneLine, terminalSafe } from "./render/format.ts";

/**
 * Shows `question` and resolves with the next line typed, or undefined when the input closed or
 * `signal` aborted while waiting.
 */
export type AskLine = (question: string, signal: AbortSignal) => Promise<string | undefined>;

/**
 * `--approve ask`: asks on the terminal. Questions from concurrent agents queue, so each is
 * answered exactly once, in order, while other agents keep running.
 */
export function ttyApprover(
  input: Readable,
  output: Writable,
  user = currentUser(),
): { approver: Approver; close(): void } {
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
  const ask: AskLine = (question, signal) =>
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
  return {
    approver: questionApprover(ask, (text) => output.write(text), { user, always: "for this run" }),
    close: () => lines?.close(),
  };
}

/**
 * The approval questions of `--approve ask` over any line source: shows the agent, the tool, its
 * arguments (whole: a model cannot push what a call does past a cut) and the real values of the placeholders in them that name its target, then reads y
 * (approve once) / n (deny, with an optional reason for the model) / a (approve with `scope:
 * "run"`; `always` names what that covers, e.g. "for this run"). Questions queue, so each is
 * answered exactly once, in order.
 */
export function questionApprover(
  ask: AskLine,
  write: (text: string) => void,
  options: { user: string; always: string },
): Approver {
  const { user } = options;
  let queue: Promise<unknown> = Promise.resolve();
  const decide = async (request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> => {
    const targets = Object.entries(request.targets ?? {})
      .map(([placeholder, value]) => `  ${placeholder} is ${oneLine(value)}\n`)
      .join("");
    write(
      `\napproval needed (${request.approvalId}): agent ${request.agent} wants to call ${terminalSafe(request.tool)}\n  ${oneLine(request.args)}\n${targets}  why: ${request.why}\n`,
    );
    while (!signal.aborted) {
      const answer = (await ask(`  [y]es / [n]o / [a]lways ${options.always} > `, signal))
        ?.trim()
        .toLowerCase();
      if (answer === undefined) {
        return signal.aborted
          ? interruptedDecision(signal)
          : { decision: "deny", by: user, reason: "no answer (input closed)" };
      }
      if (answer === "y" || answer === "yes") return { decision: "approve", scope: "once", by: user };
      if (answer === "a" || answer === "always") return { decision: "approve", scope: "run", by: user };
      if (answer === "n" || answer === "no") {
        const reason = (await ask("  reason for the agent (optional) > ", signal))?.trim();
        return { decision: "deny", by: user, ...(reason ? { reason } : {}) };
      }
    }
    return interruptedDecision(signal);
  };
  return (request, signal) => {
    const turn = queue.then(() => decide(request, signal));
    queue = turn.catch(() => undefined);
    return turn;
  };
}
