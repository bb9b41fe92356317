// A Temporal worker that runs agentry agents as activities. Needs a Temporal server
// (e.g. `temporal server start-dev`) and an agentry.toml:
//   AGENTRY_CONFIG=./agentry.toml TEMPORAL_ADDRESS=localhost:7233 node worker.mjs
// Start jobs from any Temporal client: workflow `agentJob`, task queue `agentry`, argument
// { agent, prompt, vars?, budget? }.
import { fileURLToPath } from "node:url";
import { NativeConnection, Worker } from "@temporalio/worker";
import { createActivities } from "./activities.mjs";

const activities = createActivities({ configPath: process.env.AGENTRY_CONFIG ?? "agentry.toml" });
const connection = await NativeConnection.connect({
  address: process.env.TEMPORAL_ADDRESS ?? "localhost:7233",
});
const worker = await Worker.create({
  connection,
  taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? "agentry",
  workflowsPath: fileURLToPath(new URL("./workflows.mjs", import.meta.url)),
  activities: { runAgent: activities.runAgent },
});
try {
  await worker.run();
} finally {
  await activities.close();
  await connection.close();
}
