import { describe, expect, test } from "bun:test";
import { approverFor } from "../../src/runtime/approvers.ts";
import type { ApprovalRequest } from "../../src/spec/approval.ts";

const request: ApprovalRequest = {
  approvalId: "r1-0123456789abcdef",
  runId: "r1",
  agent: "ops",
  callId: "c1",
  tool: "sh",
  args: { command: "curl http://[PII:ip:3f2a1c]/" },
  targets: { "[PII:ip:3f2a1c]": "10.20.30.40" },
  why: "policy",
};

describe("approverFor", () => {
  test("defer tells onDeferred of each request it defers, targets included", async () => {
    const told: ApprovalRequest[] = [];
    const approver = approverFor("defer", undefined, (r) => told.push(r));
    expect(await approver(request, new AbortController().signal)).toEqual({ decision: "defer" });
    expect(told).toEqual([request]);
  });

  test("other modes never call onDeferred", async () => {
    const told: ApprovalRequest[] = [];
    for (const mode of ["deny", "auto", "ask"] as const)
      await approverFor(mode, undefined, (r) => told.push(r))(request, new AbortController().signal);
    expect(told).toEqual([]);
  });
});
