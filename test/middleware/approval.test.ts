import { describe, expect, test } from "bun:test";
import { approval } from "../../src/middleware/approval/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
import type {
  ApprovalDecision,
  ApprovalRequest,
  Approver,
  EarlierAttempt,
  RecordedDecision,
  RecordedDecisions,
} from "../../src/spec/approval.ts";
import { RunStop } from "../../src/spec/run-stop.ts";
import type { Tool, ToolResult } from "../../src/spec/tool.ts";
import { createShellTool } from "../../src/tools/shell/index.ts";
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
    expect(refused).toMatchObject({ ok: false, stop: { by: "approval" } });
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
    expect(result.approval).toEqual({ decision: "auto", by: "mode:auto" });
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
      expect(result).toMatchObject({ ok: false, stop: { by: "approval" } });
      expect(result.error).toContain('deny pattern "sh:rm -rf *"');
    }
    expect(approver.requests).toHaveLength(0);
  });
});

describe("approval: ask", () => {
  test("the approver is shown the real target behind an ip, e-mail or phone placeholder, never a secret's", async () => {
    const approver = scripted(
      { decision: "approve", scope: "once", by: "alice" },
      { decision: "approve", scope: "once", by: "alice" },
    );
    const secret = "sk-live-0123456789abcdef";
    const redactor = createRedactor({ secrets: [secret] });
    const shown = redactor.redact(`hosts 10.20.30.40 and ops@example.com, key ${secret}`);
    const [ip, email, key] = shown.match(/\[PII:[a-z_]+:[0-9a-f]+\]/g) ?? [];
    expect(key).toStartWith("[PII:secret:");
    const layer = approval({ mode: "ask", policy: { tools: ["sh"] } });
    const ctx = fakeContext(undefined, "run1", { approver, redactor });
    const command = `curl -H 'x-key: ${key}' http://${ip}/ --mail ${email}`;
    expect((await layer(ctx, callOf(fakeTool("sh"), { command }), runTool)).ok).toBe(true);
    expect(approver.requests[0]?.args).toEqual({ command });
    expect(approver.requests[0]?.targets).toEqual({
      [ip as string]: "10.20.30.40",
      [email as string]: "ops@example.com",
    });
    await layer(ctx, callOf(fakeTool("sh"), { command: "ls" }), runTool);
    expect(approver.requests[1]).not.toHaveProperty("targets");
  });

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
    expect(approver.requests[0]).toMatchObject({ tool: "sh", callId: "c7" });
    expect(approver.requests[0]?.approvalId).toMatch(/^run1-[0-9a-f]{16}$/);
    expect(asked.approval).toMatchObject({
      approval_id: approver.requests[0]?.approvalId,
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
    expect(again.approval).toMatchObject({ scope: "run", remembered: true });
    const denied = await layer(ctx, callOf(fakeTool("web"), { url: "u" }), runTool);
    expect(denied).toMatchObject({ ok: false, stop: { by: "approval" } });
    expect(denied.error).toContain("denied by bob: not on prod");
    expect(approver.requests.map((r) => r.tool)).toEqual(["sh", "web"]);
    const other = fakeContext(undefined, "run2", { approver });
    expect((await layer(other, callOf(fakeTool("sh"), {}), runTool)).stop?.by).toBe("approval");
  });

  test("defer halts with awaiting_approval, a server-generated approval id and the arguments", async () => {
    const layer = approval({
      mode: "ask",
      policy: { tools: ["sh"] },
      newApprovalId: (runId) => `${runId}-fixed`,
    });
    const ctx = fakeContext(undefined, "run1", { approver: scripted({ decision: "defer" }) });
    const tool = fakeTool("sh");
    const deferred = await layer(ctx, callOf(tool, { command: "ls" }, "c1"), runTool);
    expect(deferred).toMatchObject({
      ok: false,
      stop: { reason: "approval", by: "approval" },
      halt: "awaiting_approval",
      deferral: { approvalId: "run1-fixed", args: { command: "ls" } },
      approval: { approval_id: "run1-fixed", decision: "defer" },
    });
    expect(states(ctx)).toEqual(["asked", "deferred"]);
    expect(tool.calls).toHaveLength(0);
  });

  test("approval ids never repeat, even for a reused call id", async () => {
    const approver = scripted({ decision: "defer" }, { decision: "defer" });
    const layer = approval({ mode: "ask", policy: { tools: ["sh"] } });
    await layer(fakeContext(undefined, "run1", { approver }), callOf(fakeTool("sh"), {}, "c1"), runTool);
    await layer(fakeContext(undefined, "run1", { approver }), callOf(fakeTool("sh"), {}, "c1"), runTool);
    const [first, second] = approver.requests.map((request) => request.approvalId);
    expect(first).not.toBe(second);
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
    expect(result).toMatchObject({ ok: false, stop: { by: "approval" } });
    expect(result.error).toContain("denied by timeout: no decision within 1m");
    expect(aborted).toBe(true);
  });

  test("a call cancelled while its approver ignores the cancellation is denied as interrupted, never approved later", async () => {
    let answer: ((decision: ApprovalDecision) => void) | undefined;
    const deaf: Approver = () =>
      new Promise((resolve) => {
        answer = resolve;
      });
    const layer = approval({ mode: "ask", policy: { tools: ["sh"] } });
    const run = new AbortController();
    let ran = false;
    const pending = layer(
      fakeContext(undefined, "run1", { approver: deaf }),
      { ...callOf(fakeTool("sh")), signal: run.signal },
      async () => {
        ran = true;
        return { ok: true, output: "" };
      },
    );
    await Promise.resolve();
    run.abort(new RunStop("interrupted"));
    const result = await pending;
    answer?.({ decision: "approve", scope: "once", by: "late" });
    expect(result).toMatchObject({ ok: false, stop: { by: "approval" } });
    expect(result.error).toContain(
      "denied by interrupt: no decision: the run was interrupted while the question was open",
    );
    expect(ran).toBe(false);
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

/** Recorded decisions bound like the real ones: run, call id, tool and args, each taken once. */
function recordedFor(
  bound: { callId: string; tool: string; args: Record<string, unknown> },
  decision: RecordedDecision["decision"],
  earlier?: EarlierAttempt,
): RecordedDecisions & { log: string[] } {
  const log: string[] = [];
  let taken = false;
  return {
    log,
    take(runId, callId, tool, args) {
      const same = JSON.stringify(args) === JSON.stringify(bound.args);
      if (taken || runId !== "run1" || callId !== bound.callId || tool !== bound.tool || !same)
        return undefined;
      taken = true;
      return {
        approvalId: "run1-0123456789abcdef",
        decision,
        ...(earlier ? { earlier } : {}),
        starting: () => log.push("starting"),
        finished: (result) => log.push(`finished:${result.ok}`),
      };
    },
  };
}

describe("approval: recorded decisions of a resumed run", () => {
  const approve = { decision: "approve", scope: "once", by: "alice" } as const;
  const layer = approval({ mode: "ask", policy: { tools: ["*"] } });
  const resumed = (recorded: RecordedDecisions, approver: Approver = scripted(), runId = "run1") =>
    fakeContext(undefined, runId, { approver, recorded });

  test("an approved call runs once between the write-ahead hooks; a reused call id is asked again", async () => {
    const recorded = recordedFor({ callId: "c1", tool: "sh", args: { command: "ls" } }, approve);
    const approver = scripted(
      { decision: "deny", by: "policy:deny" },
      { decision: "deny", by: "policy:deny" },
    );
    const ctx = resumed(recorded, approver);
    const tool = fakeTool("sh");
    const first = await layer(ctx, callOf(tool, { command: "ls" }, "c1"), runTool);
    expect(first.ok).toBe(true);
    expect(first.approval).toMatchObject({ approval_id: "run1-0123456789abcdef", by: "alice" });
    expect(recorded.log).toEqual(["starting", "finished:true"]);
    const reusedOther = await layer(ctx, callOf(tool, { command: "rm -rf x" }, "c1"), runTool);
    expect(reusedOther).toMatchObject({ ok: false, stop: { by: "approval" } });
    const reusedSame = await layer(ctx, callOf(tool, { command: "ls" }, "c1"), runTool);
    expect(reusedSame).toMatchObject({ ok: false, stop: { by: "approval" } });
    expect(tool.calls).toHaveLength(1);
    expect(approver.requests.map((request) => request.callId)).toEqual(["c1", "c1"]);
  });

  test("a decision never applies to another tool or another run", async () => {
    const recorded = recordedFor({ callId: "c1", tool: "sh", args: {} }, approve);
    const approver = scripted({ decision: "deny", by: "x" }, { decision: "deny", by: "x" });
    expect((await layer(resumed(recorded, approver), callOf(fakeTool("web"), {}, "c1"), runTool)).ok).toBe(
      false,
    );
    expect(
      (await layer(resumed(recorded, approver, "run2"), callOf(fakeTool("sh"), {}, "c1"), runTool)).ok,
    ).toBe(false);
    expect(approver.requests).toHaveLength(2);
  });

  test("a call an earlier resume started but never finished is reported interrupted, not run", async () => {
    const recorded = recordedFor({ callId: "c1", tool: "sh", args: {} }, approve, { state: "interrupted" });
    const tool = fakeTool("sh");
    const result = await layer(resumed(recorded), callOf(tool, {}, "c1"), runTool);
    expect(result).toMatchObject({ ok: false, stop: { by: "approval" } });
    expect(result.error).toContain("was not run again");
    expect(tool.calls).toHaveLength(0);
    expect(recorded.log).toEqual([]);
  });

  test("a call an earlier resume finished returns its recorded result without running", async () => {
    const earlier: EarlierAttempt = { state: "finished", result: { ok: true, output: "done before" } };
    const recorded = recordedFor({ callId: "c1", tool: "sh", args: {} }, approve, earlier);
    const tool = fakeTool("sh");
    const result = await layer(resumed(recorded), callOf(tool, {}, "c1"), runTool);
    expect(result).toMatchObject({ ok: true, output: "done before" });
    expect(tool.calls).toHaveLength(0);
  });

  test("an approved call that throws during a resume has its message saved redacted", async () => {
    const secret = "correct-horse-battery-staple-42";
    const saved: ToolResult[] = [];
    const recorded: RecordedDecisions = {
      take: (runId, callId) =>
        runId === "run1" && callId === "c1"
          ? {
              approvalId: "run1-0123456789abcdef",
              decision: approve,
              starting: () => {},
              finished: (result) => saved.push(result),
            }
          : undefined,
    };
    const ctx = fakeContext(undefined, "run1", {
      approver: scripted(),
      recorded,
      redactor: createRedactor({ secrets: [secret] }),
    });
    const tool = fakeTool("sh", async () => {
      throw new Error(`key ${secret} rejected for alice@example.com`);
    });
    await expect(layer(ctx, callOf(tool, {}, "c1"), runTool)).rejects.toThrow("rejected");
    expect(saved).toHaveLength(1);
    expect(saved[0]?.error).toMatch(/^key \[PII:secret:[0-9a-f]+\] rejected for \[PII:email:[0-9a-f]+\]$/);
  });

  test("a recorded denial refuses with the human's reason", async () => {
    const recorded = recordedFor(
      { callId: "c1", tool: "sh", args: {} },
      { decision: "deny", by: "bob", reason: "no" },
    );
    const result = await layer(resumed(recorded), callOf(fakeTool("sh"), {}, "c1"), runTool);
    expect(result.error).toContain("denied by bob: no");
    expect(recorded.log).toEqual([]);
  });
});

describe("approval patterns on shell tools match the parsed argv (issue 11 item 3)", () => {
  const shellTool = (name: string, shell: boolean) =>
    createShellTool(name, { kind: "shell", shell, env: ["PATH"] }, { env: process.env }) as unknown as Tool<
      Record<string, unknown>
    >;

  test.each([" rm X", '"rm" X', "r''m X", "rm\tX", "/bin/rm X", "env rm X", "sh -c 'rm X'"])(
    "deny plain:rm * refuses %j without running it",
    async (command) => {
      const layer = approval({ mode: "auto", policy: { deny: ["plain:rm *"] } });
      const tool = shellTool("plain", false);
      let ran = false;
      const ctx = fakeContext(undefined, "run1", { approver: scripted() });
      const result = await layer(ctx, callOf(tool, { command }), async () => {
        ran = true;
        return { ok: true, output: "" };
      });
      expect(result.error).toContain('deny pattern "plain:rm *"');
      expect(ran).toBe(false);
    },
  );

  test("a shell line that cannot be checked is refused under a deny pattern, with the reason", async () => {
    const layer = approval({ mode: "auto", policy: { deny: ["sh:rm *"] } });
    const result = await layer(
      fakeContext(undefined, "run1", { approver: scripted() }),
      callOf(shellTool("sh", true), { command: "eval 'rm X'" }),
      runTool,
    );
    expect(result.error).toContain('cannot be checked against deny pattern "sh:rm *"');
    expect(result.error).toContain('builtin "eval"');
  });

  test("why a line with a restored secret cannot be checked reaches the model with the placeholder, never the secret", async () => {
    const secret = "s3cr3t-Value-Zq81";
    const redactor = createRedactor({ secrets: [secret] });
    const placeholder = redactor.redact(secret);
    const layer = approval({ mode: "auto", policy: { deny: ["sh:rm *"] } });
    for (const command of [`find ${placeholder} -exec`, `env --${placeholder}`]) {
      const result = await layer(
        fakeContext(undefined, "run1", { approver: scripted(), redactor }),
        callOf(shellTool("sh", false), { command }),
        runTool,
      );
      expect(result.error).toContain('cannot be checked against deny pattern "sh:rm *"');
      expect(result.error).toContain(placeholder);
      expect(result.error).not.toContain(secret);
    }
  });

  test("except sh:git status* exempts a line only when every simple command matches", async () => {
    const approver = scripted({ decision: "deny", by: "alice" }, { decision: "deny", by: "alice" });
    const layer = approval({ mode: "ask", policy: { tools: ["sh"], except: ["sh:git status*"] } });
    const tool = shellTool("sh", true);
    const ctx = () => fakeContext(undefined, "run1", { approver });
    const exempt = await layer(ctx(), callOf(tool, { command: "git status --short" }), async () => ({
      ok: true,
      output: "ran",
    }));
    expect(exempt.output).toBe("ran");
    expect(approver.requests).toHaveLength(0);
    for (const command of ["git status; rm X", "git status > notes"]) {
      const asked = await layer(ctx(), callOf(tool, { command }), runTool);
      expect(asked.error).toContain("denied by alice");
    }
    expect(approver.requests.map((request) => request.args["command"])).toEqual([
      "git status; rm X",
      "git status > notes",
    ]);
  });
});

describe("approval patterns naming a sub-agent tool (agent:NAME, offered as agent_NAME)", () => {
  const helper = () => fakeTool("agent_helper");

  test.each(["agent:helper", "agent:helper:*", "agent:helper:*rm -rf*"])(
    "deny %p refuses the agent_helper call",
    async (pattern) => {
      const layer = approval({ mode: "auto", policy: { deny: [pattern] } });
      const result = await layer(fakeContext(), callOf(helper(), { task: "rm -rf the logs" }), runTool);
      expect(result).toMatchObject({ ok: false, stop: { by: "approval" } });
      expect(result.error).toContain(`deny pattern "${pattern}"`);
    },
  );

  test("an argument glob after agent:NAME: matches the task, not the tool name", async () => {
    const layer = approval({ mode: "auto", policy: { deny: ["agent:helper:*rm -rf*"] } });
    expect((await layer(fakeContext(), callOf(helper(), { task: "list the logs" }), runTool)).ok).toBe(true);
    const other = await layer(fakeContext(), callOf(fakeTool("agent_other"), { task: "rm -rf x" }), runTool);
    expect(other.ok).toBe(true);
  });

  test("a tool called agent is not what agent:helper names", async () => {
    const layer = approval({ mode: "auto", policy: { deny: ["agent:helper"] } });
    const result = await layer(fakeContext(), callOf(fakeTool("agent"), { task: "helper" }), runTool);
    expect(result.ok).toBe(true);
  });

  test("approval.tools agent:helper asks for agent_helper; except agent:helper exempts it", async () => {
    const approver = scripted({ decision: "deny", by: "alice" });
    const asking = approval({ mode: "ask", policy: { tools: ["agent:helper"] } });
    const asked = await asking(fakeContext(undefined, "run1", { approver }), callOf(helper()), runTool);
    expect(asked.error).toContain("denied by alice");
    expect(approver.requests[0]).toMatchObject({
      tool: "agent_helper",
      why: 'policy.approval.tools includes "agent:helper"',
    });
    const exempting = approval({ mode: "ask", policy: { tools: ["*"], except: ["agent:helper"] } });
    const exempt = await exempting(fakeContext(undefined, "run1", { approver }), callOf(helper()), runTool);
    expect(exempt.ok).toBe(true);
    expect(approver.requests).toHaveLength(1);
  });
});
