import { describe, expect, test } from "bun:test";
import { approval } from "../../src/middleware/approval/index.ts";
import type { ApprovalDecision, ApprovalRequest, Approver } from "../../src/spec/approval.ts";
import { callOf, fakeContext, fakeTool, manualClock, runTool } from "./support.ts";

function scripted(...decisions: ApprovalDecision[]): Approver & { requests: ApprovalRequest[] } {
  const requests: ApprovalRequest[] = [];
  const approver = async (request: ApprovalRequest) => {
    requests.push(request);
    const next = decisions.shift();
    if (!next) throw new Error("unexpected approval request");
    return next;
  };
  return Object.assign(approver, { requests });
}

const states = (ctx: ReturnType<typeof fakeContext>) =>
  ctx.events.flatMap((e) => (e.type === "approval" ? [e.state] : []));

describe("approval: readonly and auto", () => {
  test("readonly runs read-only tools and refuses the rest with a clear error", async () => {
    const layer = approval({ mode: "readonly" });
    const ctx = fakeContext();
    expect((await layer(ctx, callOf(fakeTool("cat", undefined, true)), runTool)).ok).toBe(true);
    const refused = await layer(ctx, callOf(fakeTool("sh")), runTool);
    expect(refused).toMatchObject({ ok: false, stoppedBy: "approval" });
    expect(refused.error).toContain("readonly mode");
    expect(ctx.events.some((e) => e.type === "warning")).toBe(true);
  });

  test("auto asks nobody and marks the result auto-approved", async () => {
    const approver = scripted();
    const result = await approval({ mode: "auto", policy: { tools: ["*"] } })(
      fakeContext(undefined, "run1", { approver }),
      callOf(fakeTool()),
      runTool,
    );
    expect(result.ok).toBe(true);
    expect(result.meta?.["approval"]).toEqual({ decision: "auto", by: "mode:auto" });
    expect(approver.requests).toHaveLength(0);
  });

  test("deny patterns refuse without asking in every mode", async () => {
    const approver = scripted();
    for (const mode of ["auto", "ask", "readonly"] as const) {
      const layer = approval({ mode, policy: { deny: ["sh:rm -rf *"] } });
      const result = await layer(
        fakeContext(undefined, "run1", { approver }),
        callOf(fakeTool("sh"), { command: "rm -rf /" }),
        runTool,
      );
      expect(result).toMatchObject({ ok: false, stoppedBy: "approval" });
      expect(result.error).toContain('deny pattern "sh:rm -rf *"');
    }
    expect(approver.requests).toHaveLength(0);
  });
});

describe("approval: ask", () => {
  test("only listed tools ask; except patterns match the primary argument", async () => {
    const approver = scripted({ decision: "approve", scope: "once", by: "alice" });
    const layer = approval({ mode: "ask", policy: { tools: ["sh"], except: ["sh:git status*"] } });
    const ctx = fakeContext(undefined, "run1", { approver });
    expect((await layer(ctx, callOf(fakeTool("web"), { url: "https://x" }), runTool)).ok).toBe(true);
    expect((await layer(ctx, callOf(fakeTool("sh"), { command: "git status --short" }), runTool)).ok).toBe(
      true,
    );
    expect(approver.requests).toHaveLength(0);
    const asked = await layer(ctx, callOf(fakeTool("sh"), { command: "git push" }, "c7"), runTool);
    expect(asked.ok).toBe(true);
    expect(approver.requests[0]).toMatchObject({ approvalId: "run1-c7", tool: "sh", callId: "c7" });
    expect(asked.meta?.["approval"]).toMatchObject({
      approval_id: "run1-c7",
      decision: "approve",
      by: "alice",
    });
    expect(states(ctx)).toEqual(["asked", "granted"]);
  });

  test("approve for the run remembers the tool; deny sends the reason to the model", async () => {
    const approver = scripted(
      { decision: "approve", scope: "run", by: "alice" },
      { decision: "deny", by: "bob", reason: "not on prod" },
    );
    const layer = approval({ mode: "ask", policy: { tools: ["*"] } });
    const ctx = fakeContext(undefined, "run1", { approver });
    await layer(ctx, callOf(fakeTool("sh"), { command: "a" }), runTool);
    const again = await layer(ctx, callOf(fakeTool("sh"), { command: "b" }), runTool);
    expect(again.ok).toBe(true);
    expect(again.meta?.["approval"]).toMatchObject({ scope: "run", remembered: true });
    const denied = await layer(ctx, callOf(fakeTool("web"), { url: "u" }), runTool);
    expect(denied).toMatchObject({ ok: false, stoppedBy: "approval" });
    expect(denied.error).toContain("denied by bob: not on prod");
    expect(approver.requests.map((r) => r.tool)).toEqual(["sh", "web"]);
    const other = fakeContext(undefined, "run2", { approver });
    expect((await layer(other, callOf(fakeTool("sh"), {}), runTool)).stoppedBy).toBe("approval");
  });

  test("defer halts with awaiting_approval and the approval id; preDecided resumes it", async () => {
    const layer = approval({ mode: "ask", policy: { tools: ["sh"] } });
    const ctx = fakeContext(undefined, "run1", { approver: scripted({ decision: "defer" }) });
    const tool = fakeTool("sh");
    const deferred = await layer(ctx, callOf(tool, {}, "c1"), runTool);
    expect(deferred).toMatchObject({
      ok: false,
      stoppedBy: "approval",
      halt: "awaiting_approval",
      meta: { approval_id: "run1-c1" },
    });
    expect(states(ctx)).toEqual(["asked", "deferred"]);
    expect(tool.calls).toHaveLength(0);
    const resumed = fakeContext(undefined, "run1", {
      approver: scripted(),
      preDecided: new Map([["run1-c1", { decision: "approve", scope: "once", by: "carol" }]]),
    });
    const result = await layer(resumed, callOf(tool, {}, "c1"), runTool);
    expect(result.ok).toBe(true);
    expect(tool.calls).toHaveLength(1);
  });

  test("a request that times out counts as denied", async () => {
    const clock = manualClock();
    let aborted = false;
    const never: Approver = (_request, signal) =>
      new Promise(() => {
        signal.addEventListener("abort", () => {
          aborted = true;
        });
      });
    const layer = approval({ mode: "ask", policy: { tools: ["sh"], timeout: 60_000 }, clock });
    const pending = layer(fakeContext(clock, "run1", { approver: never }), callOf(fakeTool("sh")), runTool);
    await Promise.resolve();
    clock.advance(60_000);
    const result = await pending;
    expect(result).toMatchObject({ ok: false, stoppedBy: "approval" });
    expect(result.error).toContain("denied by timeout: no decision within 1m");
    expect(aborted).toBe(true);
  });

  test("a failing approver denies instead of crashing", async () => {
    const layer = approval({ mode: "ask", policy: { tools: ["sh"] } });
    const result = await layer(
      fakeContext(undefined, "run1", { approver: scripted() }),
      callOf(fakeTool("sh")),
      runTool,
    );
    expect(result.error).toContain("denied by approver");
  });
});
