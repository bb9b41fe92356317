import { describe, expect, test } from "bun:test";
import { toolApprovalRule } from "../../src/middleware/approval/patterns.ts";

const rw = (name: string) => ({ name, readOnly: false });

describe("toolApprovalRule: what chat's /tools says of a tool is what the approval layer does", () => {
  test("an agent:NAME entry asks for the agent_NAME tool the model calls (the raw pattern never matched it)", () => {
    expect(toolApprovalRule("ask", { tools: ["agent:helper"] }, rw("agent_helper"))).toMatchObject({
      verdict: "asks",
      why: 'policy.approval.tools includes "agent:helper"',
    });
    expect(toolApprovalRule("ask", { tools: ["agent:helper"] }, rw("helper")).verdict).toBe("runs");
  });

  test("globs over model names, except and deny patterns of the tool are listed, others' are not", () => {
    const policy = {
      tools: ["mcp__gh__*", "sh"],
      except: ["sh:git status*", "http:GET *"],
      deny: ["sh:rm *", "agent:ops:*"],
    };
    expect(toolApprovalRule("ask", policy, rw("mcp__gh__create_issue"))).toMatchObject({
      verdict: "asks",
      except: [],
      deny: [],
    });
    expect(toolApprovalRule("ask", policy, rw("sh"))).toEqual({
      verdict: "asks",
      why: 'policy.approval.tools includes "sh"',
      except: ["sh:git status*"],
      deny: ["sh:rm *"],
    });
    expect(toolApprovalRule("ask", policy, rw("agent_ops"))).toMatchObject({
      verdict: "runs",
      deny: ["agent:ops:*"],
    });
  });

  test("readonly refuses tools that write, auto asks nobody; deny patterns hold in every mode", () => {
    const policy = { tools: ["*"], deny: ["sh:rm *"] };
    expect(toolApprovalRule("readonly", policy, rw("sh"))).toMatchObject({
      verdict: "refused",
      deny: ["sh:rm *"],
    });
    expect(toolApprovalRule("readonly", policy, { name: "read", readOnly: true }).verdict).toBe("runs");
    expect(toolApprovalRule("auto", policy, rw("sh"))).toMatchObject({ verdict: "runs", deny: ["sh:rm *"] });
    expect(toolApprovalRule("ask", undefined, rw("sh")).verdict).toBe("runs");
  });
});
