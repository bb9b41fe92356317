// agentry's library as a Temporal activity (Node ≥ 20). One activity, `runAgent`, runs one agent
// or flow of an agentry configuration per call:
// - it heartbeats with the run's progress (run id, turns, tool calls, last tool), so the workflow
//   sees progress and Temporal notices a dead worker within the activity's heartbeat timeout;
// - cancellation (the workflow cancels, or the heartbeat timeout expires) aborts the run through
//   its AbortSignal: running tools' process trees are killed, the audit log is flushed, and the
//   activity fails with Temporal's cancellation error;
// - the runtime (configuration, audit log, assembled agents) is created once per worker process
//   and shared by every activity it runs, like `agentry worker` does.
import { Context } from "@temporalio/activity";
import { createRuntime, loadConfig } from "agentry";

/**
 * The activities of a worker process. `configPath` is the agentry.toml the worker runs with;
 * `runtimeOptions` go to `createRuntime` (state dir, tools defined in code, …). Approval mode
 * defaults to `deny`: an activity has nobody to ask.
 */
export function createActivities({ configPath, runtimeOptions = {}, approve = "deny" }) {
  let runtime;
  const runtimeOnce = async () => {
    runtime ??= createRuntime(await loadConfig(configPath), runtimeOptions);
    return runtime;
  };
  return {
    /** Runs one job (batch's fields: agent, prompt, vars, budget) and returns its result line. */
    async runAgent({ agent, prompt, vars, budget }) {
      const context = Context.current();
      const rt = await runtimeOnce();
      const progress = { run_id: undefined, turns: 0, tool_calls: 0, last_tool: undefined };
      const result = await rt.run({
        ...(agent ? { target: agent } : {}),
        prompt,
        ...(vars ? { vars } : {}),
        ...(budget ? { budget } : {}),
        approve,
        signal: context.cancellationSignal,
        onEvent: (event) => {
          progress.run_id ??= event.run_id;
          if (event.type === "usage") progress.turns += 1;
          if (event.type === "tool_call") {
            progress.tool_calls += 1;
            progress.last_tool = event.name;
          }
          if (event.type === "run_start" || event.type === "tool_call" || event.type === "usage")
            context.heartbeat({ ...progress });
        },
      });
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      return {
        run_id: result.runId,
        status: result.status === "interrupted" ? "stopped" : result.status,
        answer: result.answer,
        stop_reason: result.stopReason,
        usage: result.usage,
      };
    },
    /** Flushes the audit log; call when the worker shuts down. */
    async close() {
      await runtime?.close();
    },
  };
}
