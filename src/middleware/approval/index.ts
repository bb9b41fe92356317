import type { Mode } from "../../config/schema.ts";
import { randomHex } from "../../digest/random.ts";
import type {
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalRequest,
  RecordedDecision,
} from "../../spec/approval.ts";
import type { Middleware, Next, PipelineCall, PipelineContext } from "../../spec/middleware.ts";
import type { ToolResult } from "../../spec/tool.ts";
import { type PipelineClock, systemClock } from "../clock.ts";
import { STOPS } from "../layer-names.ts";
import { refuse, refused } from "../refusal.ts";
import { RunScoped } from "../run-scoped.ts";
import { askWithTimeout } from "./ask.ts";
import { judgeCall } from "./call-patterns.ts";
import { approvalPatterns } from "./patterns.ts";
import { approvalTargets } from "./targets.ts";

export interface ApprovalOptions {
  mode: Mode;
  /** `policy.approval`: `tools` that ask (`*` for all), `except`/`deny` `tool:argglob` patterns, `timeout` in ms. */
  policy?: {
    tools?: readonly string[];
    except?: readonly string[];
    deny?: readonly string[];
    timeout?: number;
  };
  clock?: Pick<PipelineClock, "setTimeout" | "clearTimeout">;
  /** Generates approval ids (default: the run id and 16 random hex digits). */
  newApprovalId?: (runId: string) => string;
}

/** Default `policy.approval.timeout`: five minutes, after which the request counts as denied. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 5 * 60_000;

/**
 * A new approval id: the run id and 64 random bits. Server-generated, so a decision can never be
 * claimed by a model that chooses a call id; unguessable, so nobody can decide on it blind.
 */
export function newApprovalId(runId: string): string {
  return `${runId}-${randomHex(8)}`;
}

interface RunApprovals {
  tools: Set<string>;
  asking: Map<string, Promise<unknown>>;
}

/**
 * Layer 6, human approval (SPEC §6). `deny` patterns refuse without asking in every mode;
 * `deny` and `except` patterns judge the arguments with placeholders restored (what the tool runs),
 * so why a call could not be checked (it may quote those arguments) is redacted before the model,
 * which sees this layer's refusals unredacted (layer 7 is below), reads it;
 * `readonly` runs only `tool.readOnly` tools; `auto` asks nobody (audited as `auto`); `ask` asks
 * the run's approver (`ctx.approver`; decisions of a resumed run come from `ctx.recorded`) for
 * tools matching a `policy.approval.tools` glob (`*`, `mcp__github__*`, `agent:NAME` for the
 * sub-agent tool `agent_NAME`) unless an `except` pattern matches.
 * `approve` with `scope: "run"` approves the tool for the rest of the run; `deny` returns the
 * human's reason to the model; `defer` halts the run with `awaiting_approval`; a timeout denies.
 * A resumed run's recorded decisions apply only to the exact call they were taken on (run, call
 * id, tool, canonical arguments), once, and run it exactly once (`RecordedDecision`). Approval
 * ids are generated here, never derived from the model's call id.
 * The outcome is put on `result.approval` for the audit layer.
 */
export function approval(options: ApprovalOptions): Middleware {
  const { deny, except, askingPattern } = approvalPatterns(options.policy);
  const timeoutMs = options.policy?.timeout ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const clock = options.clock ?? systemClock;
  const runs = new RunScoped<RunApprovals>(() => ({ tools: new Set(), asking: new Map() }));
  const idFor = options.newApprovalId ?? newApprovalId;

  return (ctx, call, next) => {
    const denied = deny.length ? judgeCall(deny, asRun(ctx, call), "any") : undefined;
    if (denied) {
      const why =
        denied.kind === "match"
          ? `matches deny pattern "${denied.pattern.source}"`
          : `cannot be checked against deny pattern "${denied.pattern.source}": ${ctx.redactor.redact(denied.reason)}`;
      return refused(
        ctx,
        call,
        STOPS.policy,
        `${call.name} call denied by policy (${why}); do not retry it, use another approach`,
        { approval: { decision: "policy_deny", pattern: denied.pattern.source } },
      );
    }
    if (options.mode === "readonly") {
      if (call.tool.readOnly) return next(call);
      return refused(
        ctx,
        call,
        STOPS.readonly,
        `${call.name} is not allowed: agent "${ctx.agent}" runs in readonly mode, where only read-only tools may run`,
        { approval: { decision: "readonly_refused" } },
      );
    }
    if (options.mode === "auto") return next(call).then(approvedByMode);
    if (askingPattern(call.name) === undefined) return next(call);
    if (except.length && judgeCall(except, asRun(ctx, call), "every")?.kind === "match") return next(call);
    return decide(ctx, call, next);
  };

  async function decide(ctx: PipelineContext, call: PipelineCall, next: Next): Promise<ToolResult> {
    const approvals = runs.get(ctx);
    const recorded = ctx.recorded?.take(ctx.runId, call.id, call.name, call.args);
    if (recorded) return applyRecorded(ctx, call, next, recorded, approvals);
    const inFlight = approvals.asking.get(call.name);
    if (inFlight) await inFlight;
    const id = idFor(ctx.runId);
    if (approvals.tools.has(call.name)) {
      return withApproval(await next(call), {
        approval_id: id,
        decision: "approve",
        scope: "run",
        remembered: true,
      });
    }
    const why = `policy.approval.tools includes "${askingPattern(call.name)}"`;
    ctx.emit({
      type: "approval",
      approval_id: id,
      state: "asked",
      tool: call.name,
      args: call.args,
      rule: why,
    });
    const targets = approvalTargets(call.args, ctx.redactor);
    const request: ApprovalRequest = {
      approvalId: id,
      runId: ctx.runId,
      agent: ctx.agent,
      callId: call.id,
      tool: call.name,
      args: call.args,
      ...(targets ? { targets } : {}),
      why,
    };
    const pending = askWithTimeout(ctx.approver, request, call.signal, timeoutMs, clock);
    approvals.asking.set(call.name, pending);
    let decision: ApprovalDecision;
    try {
      decision = await pending;
    } finally {
      if (approvals.asking.get(call.name) === pending) approvals.asking.delete(call.name);
    }
    return apply(ctx, call, next, id, decision, approvals);
  }

  function applyRecorded(
    ctx: PipelineContext,
    call: PipelineCall,
    next: Next,
    recorded: RecordedDecision,
    approvals: RunApprovals,
  ): Promise<ToolResult> {
    const id = recorded.approvalId;
    const earlier = recorded.earlier;
    if (earlier?.state === "finished") {
      return Promise.resolve(
        withApproval(earlier.result, { approval_id: id, ...recorded.decision, replayed: true }),
      );
    }
    if (earlier?.state === "interrupted") {
      return refused(
        ctx,
        call,
        STOPS.approval,
        `${call.name} call (approval ${id}) was started by an earlier resume that never finished (agentry was stopped while it ran); it was not run again and its effects are unknown. Check its effects before retrying it`,
        { approval: { approval_id: id, decision: "interrupted" } },
      );
    }
    const once: Next = (approved) => {
      recorded.starting();
      return next(approved).then(
        (result) => {
          recorded.finished(result);
          return result;
        },
        (err: unknown) => {
          recorded.finished({
            ok: false,
            output: "",
            error: ctx.redactor.redact(err instanceof Error ? err.message : String(err)),
          });
          throw err;
        },
      );
    };
    return apply(ctx, call, once, id, recorded.decision, approvals);
  }

  async function apply(
    ctx: PipelineContext,
    call: PipelineCall,
    next: Next,
    id: string,
    decision: ApprovalDecision,
    approvals: RunApprovals,
  ): Promise<ToolResult> {
    switch (decision.decision) {
      case "approve": {
        if (decision.scope === "run") approvals.tools.add(call.name);
        ctx.emit({
          type: "approval",
          approval_id: id,
          state: "granted",
          tool: call.name,
          by: decision.by,
          ...(decision.reason ? { reason: decision.reason } : {}),
        });
        return withApproval(await next(call), { approval_id: id, ...decision });
      }
      case "deny": {
        ctx.emit({
          type: "approval",
          approval_id: id,
          state: "denied",
          tool: call.name,
          by: decision.by,
          ...(decision.reason ? { reason: decision.reason } : {}),
        });
        const why = decision.reason ? `: ${decision.reason}` : "";
        return refuse(
          ctx,
          call,
          STOPS.approval,
          `${call.name} call denied by ${decision.by}${why}. Do not retry it; adapt your approach or answer without it`,
          { approval: { approval_id: id, ...decision } },
        );
      }
      case "defer": {
        ctx.emit({ type: "approval", approval_id: id, state: "deferred", tool: call.name });
        return refuse(
          ctx,
          call,
          STOPS.approval,
          `${call.name} call awaits human approval (approval id ${id}); the run pauses until someone decides`,
          {
            halt: "awaiting_approval",
            deferral: { approvalId: id, args: call.args },
            approval: { approval_id: id, decision: "defer" },
          },
        );
      }
      default: {
        const unreachable: never = decision;
        return unreachable;
      }
    }
  }
}

/**
 * The call as the tool will run it: placeholders the model copied from redacted output restored
 * (as layer 7 does), so `deny` and `except` patterns judge the real values, never the placeholders
 * a model could use to slip past a pattern. The call passed on keeps its placeholders.
 */
function asRun(ctx: PipelineContext, call: PipelineCall): PipelineCall {
  const args = ctx.redactor.restore(call.args);
  return args === call.args ? call : { ...call, args };
}

function approvedByMode(result: ToolResult): ToolResult {
  return withApproval(result, { by: "mode:auto", decision: "auto" });
}

function withApproval(result: ToolResult, approval: ApprovalOutcome): ToolResult {
  return { ...result, approval };
}
