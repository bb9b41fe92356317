import { exitCodeFor } from "../agent/exit-code.ts";
import { roundUsd, UsageMeter } from "../agent/usage-meter.ts";
import { namedEntry } from "../config/named-entry.ts";
import { newApprovalId } from "../middleware/approval/index.ts";
import { targetsIn } from "../middleware/approval/targets.ts";
import { isRefusal } from "../middleware/layer-names.ts";
import { createRedactor, type Redactor } from "../redact/index.ts";
import type { RecordedDecisions } from "../spec/approval.ts";
import { AgentryError, type SerializedError, serializeError, UsageError } from "../spec/errors.ts";
import type { RunEventInput, UsageTotals } from "../spec/events.ts";
import { ExitCode } from "../spec/exit-codes.ts";
import type { Message, ToolCall } from "../spec/model.ts";
import { RunStop, statusOfStop } from "../spec/run-stop.ts";
import { SessionStore } from "../state/session-store.ts";
import { type AgentOutcome, executeAgent } from "./agent-execution.ts";
import { type AgentSettings, resolveSettings, settingsForRequest } from "./agent-settings.ts";
import { approverFor } from "./approvers.ts";
import { assembledUnlessStopped } from "./assembly-wait.ts";
import { DEFAULT_LIMITS } from "./child-runs.ts";
import { EventBus } from "./event-bus.ts";
import { executeFlow } from "./flow-execution.ts";
import { recordPolicyStop } from "./policy-stop.ts";
import { type AssembledAgent, agentConfig, resolveAgent } from "./resolve-agent.ts";
import { recordRunEnd, recordRunStart } from "./run-boundaries.ts";
import { observeRun } from "./run-observers.ts";
import { runRedactionPolicy } from "./run-redaction.ts";
import type { RunRequest, RunResult } from "./run-request.ts";
import type { RunScope, RuntimeContext } from "./runtime-context.ts";
import { Semaphore } from "./semaphore.ts";

/** Where a top-level run starts: fresh, or from a deferred run's saved state. */
export interface RunPlan {
  runId: string;
  target: string;
  history: Message[];
  turns: number;
  /** Approved or denied calls of a deferred run, executed before the next model turn. */
  resumeCalls: ToolCall[];
  usage?: UsageTotals;
  /** The deferred run's decisions, each bound to its exact call. */
  recorded?: RecordedDecisions;
  resumes?: number;
  /**
   * Sub-agent runs the run started so far (when resuming: before it was deferred), so the next one
   * is numbered after them; saved with a deferred run.
   */
  subRuns?: number;
  /**
   * A resumed run's placeholders (copied by the model into its pending calls) with their real
   * values, from the sealed state: its redactor restores them like its own.
   */
  restore?: Readonly<Record<string, string>>;
}

/**
 * Runs one top-level agent or flow: resolves the agent (once per runtime), wires timeout and
 * cancellation, the run's redactor and redacting event bus, sessions and the audit trail; saves
 * a deferred run when approvals are pending. Always emits `run_end`. Throws UsageError for an
 * unknown agent before anything is emitted.
 */
export async function executeRun(rt: RuntimeContext, request: RunRequest, plan: RunPlan): Promise<RunResult> {
  const { runId, target } = plan;
  const flows = rt.loaded.config.flows;
  const flow = namedEntry(flows, target);
  const settings: AgentSettings = settingsForRequest(
    resolveSettings(rt.loaded.config, target, flow ? {} : agentConfig(rt, target)),
    request,
  );
  let assembled: AssembledAgent | undefined;
  let failure: unknown;
  if (flow && (request.instructions !== undefined || request.appendInstructions !== undefined)) {
    throw new UsageError(
      `"${target}" is a flow; --system-prompt and --append-system-prompt apply to an agent`,
      {
        hint: "run one of its agents, or set instructions in each agent's [agents.NAME] table",
      },
    );
  }
  const started = rt.now();
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(request.signal?.reason ?? new RunStop("cancelled"));
  if (request.signal?.aborted) onOuterAbort();
  request.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const timer = rt.clock.setTimeout(() => controller.abort(new RunStop("timeout")), settings.timeoutMs);
  // Stopped (Ctrl-C, the run's deadline) while the agent was assembled, e.g. while an MCP server
  // it uses was starting: the run ends as a loop stopped then would, without a turn.
  let stoppedEarly: RunStop | undefined;
  if (!flow) {
    try {
      assembled = await assembledUnlessStopped(resolveAgent(rt, target), controller.signal);
    } catch (err) {
      if (err instanceof RunStop) stoppedEarly = err;
      else failure = err;
    }
  }
  const redactor = createRedactor({
    ...runRedactionPolicy(rt.loaded.config, target, settings.policy.redact),
    secrets: [...rt.secrets],
    ...(plan.restore ? { known: plan.restore } : {}),
  });
  const refusals = { count: 0 };
  const model = flow ? `flow:${flow.kind}` : (settings.model ?? "");
  const observers = observeRun(rt, request, runId, { agent: target, model });
  const listener = observers.listener;
  const bus = listener ? new EventBus(listener, redactor, undefined, observers.deltas) : undefined;
  const scope: RunScope = {
    runId,
    request,
    redactor,
    signal: controller.signal,
    approver: approverFor(request.approve ?? rt.loaded.config.defaults?.approve ?? "deny", rt.ask),
    ...(plan.recorded ? { recorded: plan.recorded } : {}),
    emitFor: (id, name) => countingRefusals(bus?.emitterFor(id, name) ?? ignoreEvent, refusals),
    children: { started: plan.subRuns ?? 0 },
    concurrency: new Semaphore(rt.loaded.config.limits?.max_concurrency ?? DEFAULT_LIMITS.maxConcurrency),
  };
  const emit = scope.emitFor(runId, target);
  const sessions = request.session && !request.ephemeral ? new SessionStore(rt.stateDir) : undefined;
  const resuming = plan.resumeCalls.length > 0;
  const history = resuming
    ? plan.history
    : [...(sessions?.load(request.session as string)?.messages ?? []), ...plan.history];
  const messages: Message[] = resuming ? history : [...history, { role: "user", content: request.prompt }];
  emit({
    type: "run_start",
    model,
    prompt: request.prompt,
    ...(request.session ? { session: request.session } : {}),
    ...(settings.budget.usd !== undefined || settings.budget.tokens !== undefined
      ? { budget: settings.budget }
      : {}),
  });
  if (!resuming)
    recordRunStart(rt.audit, { runId, agent: target, model, prompt: redactor.redact(request.prompt) });

  let outcome: AgentOutcome | undefined;
  try {
    if (failure !== undefined) throw failure;
    outcome = stoppedEarly
      ? stoppedOutcome(stoppedEarly, resuming ? plan : undefined)
      : flow
        ? await executeFlow(rt, scope, target, request.prompt, controller.signal)
        : await executeAgent(rt, scope, {
            agent: target,
            runId,
            messages,
            depth: 0,
            signal: controller.signal,
            ...(assembled ? { assembled } : {}),
            ...(resuming
              ? { resume: { turns: plan.turns, calls: plan.resumeCalls, usage: plan.usage } }
              : {}),
          });
  } catch (err) {
    failure = err;
  } finally {
    rt.clock.clearTimeout(timer);
    request.signal?.removeEventListener("abort", onOuterAbort);
  }
  if (!outcome) {
    const error = serializeError(failure);
    emit({ type: "error", error });
    outcome = failedOutcome(error);
  }
  const result: RunResult = {
    runId,
    agent: target,
    status: outcome.status,
    stopReason: outcome.stopReason,
    answer: redactor.redact(outcome.answer),
    usage: outcome.meter.totals(),
    turns: outcome.turns,
    durationMs: Math.round(rt.now() - started),
    refusedCalls: refusals.count,
    exitCode:
      failure === undefined
        ? exitCodeFor(outcome.status, outcome.stopReason, outcome.providerError?.exitCode)
        : failure instanceof AgentryError
          ? failure.exitCode
          : ExitCode.agentFailed,
    ...(outcome.error ? { error: redactor.redactValue(outcome.error) } : {}),
  };
  // What the run saves at its end (session, audit lines, deferred state) may fail (a full disk, an
  // unwritable state dir): the run still emits its `run_end` and closes its record, then the
  // first such failure is thrown.
  const saveFailures: unknown[] = [];
  const saving = (save: () => void) => {
    try {
      save();
    } catch (err) {
      saveFailures.push(err);
    }
  };
  if (failure === undefined && sessions) {
    saving(() =>
      sessions.save({
        id: request.session as string,
        agent: target,
        messages: redactor.redactValue(messages),
      }),
    );
  }
  recordPolicyStop(rt.audit, runId, target, { stopReason: result.stopReason, haltedBy: outcome.haltedBy });
  recordRunEnd(rt.audit, {
    runId,
    agent: target,
    status: result.status,
    stopReason: result.stopReason,
    turns: result.turns,
    usage: result.usage,
    refusedCalls: result.refusedCalls,
  });
  // The run's audit lines are written before its deferred state is saved: once saved, another
  // process may record a decision on it, continuing the chain from the file, which must by then
  // hold every line of this run (else both would write the same seq).
  await rt.audit?.flush().catch((err: unknown) => {
    saveFailures.push(err);
  });
  if (failure === undefined) {
    saving(() =>
      recordDeferral(
        rt,
        request,
        { ...plan, subRuns: scope.children.started },
        outcome,
        result,
        messages,
        redactor,
        emit,
      ),
    );
  }
  emit({
    type: "run_end",
    status: result.status,
    stop_reason: result.stopReason,
    answer: result.answer,
    usage: result.usage,
    cost_usd: roundUsd(result.usage.cost_usd),
    turns: result.turns,
    duration_ms: result.durationMs,
    refused_calls: result.refusedCalls,
    ...(result.error ? { error: result.error } : {}),
  });
  // The run's record is closed with its outcome even when something could not be saved: else it
  // stayed `running` and, in a long-lived process (`serve`), kept its file open.
  await observers.finish(result);
  if (saveFailures.length > 0) throw saveFailures[0];
  return result;
}

function recordDeferral(
  rt: RuntimeContext,
  request: RunRequest,
  plan: RunPlan,
  outcome: AgentOutcome,
  result: RunResult,
  messages: Message[],
  redactor: Redactor,
  emit: ReturnType<RunScope["emitFor"]>,
): void {
  const awaiting = outcome.status === "awaiting_approval";
  if (!awaiting && !plan.resumes) return;
  if (request.ephemeral) {
    if (awaiting)
      emit({ type: "warning", message: "--ephemeral: the deferred run was not saved and cannot be resumed" });
    return;
  }
  const calls = outcome.pendingCalls.map(({ call, deferral }) => ({
    approval_id: deferral?.approvalId ?? newApprovalId(plan.runId),
    id: call.id,
    name: call.name,
    arguments: call.arguments,
    args: deferral?.args ?? {},
  }));
  const shown = calls.map((call) => redactor.redact(call.arguments));
  rt.deferred.create(
    {
      run_id: plan.runId,
      agent: plan.target,
      config: rt.loaded.path,
      status: awaiting ? "awaiting_approval" : "finished",
      created: new Date().toISOString(),
      request: {
        prompt: redactor.redact(request.prompt),
        ...(request.model ? { model: request.model } : {}),
        ...(request.maxTurns ? { maxTurns: request.maxTurns } : {}),
        ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
        ...(request.budget ? { budget: request.budget } : {}),
        ...(request.vars ? { vars: redactor.redactValue(request.vars) } : {}),
        ...(request.outputSchema ? { outputSchema: request.outputSchema } : {}),
        ...(request.session ? { session: request.session } : {}),
        ...(request.instructions !== undefined
          ? { instructions: redactor.redact(request.instructions) }
          : {}),
        ...(request.appendInstructions !== undefined
          ? { appendInstructions: redactor.redact(request.appendInstructions) }
          : {}),
      },
      messages: redactor.redactValue(messages),
      turns: result.turns,
      usage: result.usage,
      pending: calls.map((call, index) => ({
        approval_id: call.approval_id,
        agent: plan.target,
        call: { id: call.id, name: call.name, arguments: shown[index] as string },
      })),
      resumes: plan.resumes ?? 0,
      sub_runs: plan.subRuns ?? 0,
      ...(awaiting
        ? {}
        : {
            result: {
              status: result.status,
              stop_reason: result.stopReason,
              answer: result.answer,
              exit_code: result.exitCode,
            },
          }),
    },
    { prompt: request.prompt, messages, calls, ...sealedPlaceholders(shown, redactor) },
  );
}

/**
 * What the sealed state keeps of the run's placeholder table: the real ip, e-mail and phone values
 * behind the placeholders in the pending calls' arguments as shown (copied by the model from
 * redacted output, or standing for values it wrote), so the approved calls run with them after a
 * resume (a new redactor would not know them) and `approvals list` can show their targets. Only
 * those values, and only sealed; secrets, keys, card numbers and the like are never written.
 */
function sealedPlaceholders(
  shown: readonly string[],
  redactor: Redactor,
): { restore?: Record<string, string> } {
  const restore = targetsIn(shown.join("\n"), (placeholder) => redactor.restore(placeholder));
  return restore ? { restore } : {};
}

/**
 * Counts the refused calls of a run and its sub-agents (`run_end.refused_calls`) as their
 * `tool_result` events pass, listener or not.
 */
function countingRefusals(
  emit: (event: RunEventInput) => void,
  refusals: { count: number },
): (event: RunEventInput) => void {
  return (event) => {
    if (event.type === "tool_result" && isRefusal(event.stopped_by)) refusals.count += 1;
    emit(event);
  };
}

/** The emitter of a run nobody listens to: events are neither built nor redacted. */
function ignoreEvent(_event: RunEventInput): void {}

/**
 * The outcome of a run stopped before its loop started (while its agent was assembled): the
 * status a loop stopped by `stop` ends with, and a resumed run's turns and usage so far.
 */
function stoppedOutcome(stop: RunStop, resumed: Pick<RunPlan, "turns" | "usage"> | undefined): AgentOutcome {
  const meter = new UsageMeter();
  if (resumed?.usage) meter.addTotals(resumed.usage);
  return {
    ...statusOfStop(stop.reason),
    answer: "",
    turns: resumed?.turns ?? 0,
    pendingCalls: [],
    meter,
    model: "",
  };
}

function failedOutcome(error: SerializedError): AgentOutcome {
  return {
    status: "failed",
    stopReason: "error",
    answer: "",
    turns: 0,
    error,
    pendingCalls: [],
    meter: new UsageMeter(),
    model: "",
  };
}
