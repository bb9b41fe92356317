import { describe, expect, test } from "bun:test";
import { chatApprover } from "../../src/cli/chat/chat-approver.ts";
import type { ApprovalDecision, ApprovalRequest } from "../../src/spec/approval.ts";

/** A request of `agent` for `tool`; each gets its own approval id. */
function request(agent: string, tool: string, args: Record<string, unknown> = {}): ApprovalRequest {
  const approvalId = `a-${agent}-${tool}-${JSON.stringify(args)}`;
  return { approvalId, runId: "r1", agent, callId: "c1", tool, args, why: "test" };
}

/** A chat approver whose human answers from `answers` in order; `asked` counts the questions. */
function scripted(answers: ApprovalDecision[]) {
  const asked: ApprovalRequest[] = [];
  const approver = chatApprover(async (req) => {
    asked.push(req);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected question for ${req.agent}/${req.tool}`);
    return answer;
  });
  return { approver, asked };
}

const signal = new AbortController().signal;
const always: ApprovalDecision = { decision: "approve", scope: "run", by: "alice" };
const once: ApprovalDecision = { decision: "approve", scope: "once", by: "alice" };
const deny: ApprovalDecision = { decision: "deny", by: "alice" };

describe("chat approvals: what [a]lways covers", () => {
  test("later calls of that tool by that agent, whatever the arguments, are approved without asking, naming the answer", async () => {
    const { approver, asked } = scripted([always]);
    await approver(request("ops", "sh", { command: "ls" }), signal);
    const later = await approver(request("ops", "sh", { command: "rm -rf build" }), signal);
    expect(asked).toHaveLength(1);
    expect(later).toEqual({
      decision: "approve",
      scope: "run",
      by: "alice",
      reason: 'approved for the rest of this chat ([a]lways at a-ops-sh-{"command":"ls"})',
    });
  });

  test("another tool, or the same tool called by another agent (a sub-agent), is asked again", async () => {
    const { approver, asked } = scripted([always, deny, deny]);
    await approver(request("ops", "sh"), signal);
    expect(await approver(request("ops", "http"), signal)).toEqual(deny);
    expect(await approver(request("helper", "sh"), signal)).toEqual(deny);
    expect(asked.map((req) => `${req.agent}/${req.tool}`)).toEqual(["ops/sh", "ops/http", "helper/sh"]);
  });

  test("y (once) and n are not remembered", async () => {
    const { approver, asked } = scripted([once, deny, once]);
    await approver(request("ops", "sh"), signal);
    await approver(request("ops", "sh"), signal);
    await approver(request("ops", "sh"), signal);
    expect(asked).toHaveLength(3);
  });

  test("each chat starts with nothing remembered", async () => {
    const first = scripted([always]);
    await first.approver(request("ops", "sh"), signal);
    const second = scripted([deny]);
    expect(await second.approver(request("ops", "sh"), signal)).toEqual(deny);
  });
});
