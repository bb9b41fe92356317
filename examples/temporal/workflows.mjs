// A workflow that runs one agent job as an activity, with a heartbeat timeout so a dead worker is
// noticed quickly and the job retried elsewhere (at-least-once, like `agentry worker`: a retried
// run starts again from the beginning; see docs/WORKERS.md for what that re-executes).
import { proxyActivities } from "@temporalio/workflow";

const { runAgent } = proxyActivities({
  startToCloseTimeout: "30 minutes",
  heartbeatTimeout: "1 minute",
  retry: { maximumAttempts: 3 },
  cancellationType: "WAIT_CANCELLATION_COMPLETED",
});

/** Runs `job` ({ agent, prompt, vars, budget }) and returns its result line. */
export async function agentJob(job) {
  return await runAgent(job);
}
