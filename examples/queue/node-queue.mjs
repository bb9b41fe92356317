// agentry's queue from a Node program, through the library: a worker (`startWorker`) and a
// producer (`submitJobs`) on one Redis, with BullMQ's standard client, ioredis, underneath
// (`npm install agentry bullmq ioredis`). The model is agentry's mock provider, so it runs offline.
// Run it from this repository after `npm run build:lib`, with a Redis server:
//   REDIS_URL=redis://127.0.0.1:6379 node examples/queue/node-queue.mjs 5
// It prints one JSON result line per job, as `agentry submit --wait` does.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime, loadConfigText } from "agentry";
import { openQueue, resolveQueueTarget, startWorker, submitJobs } from "agentry/queue";
import { startMockProvider } from "agentry/testing";

const count = Number(process.argv[2] ?? 3);
const queueName = process.env.QUEUE_NAME ?? "agentry-node-example";
const mock = await startMockProvider({
  turns: (request) => {
    const prompt = request.body.messages.find((message) => message.role === "user")?.content ?? "";
    return { text: `done: ${prompt}` };
  },
});
const stateDir = mkdtempSync(join(tmpdir(), "agentry-node-queue-"));
const loaded = await loadConfigText(`
[defaults]
agent = "w"
model = "mock/gpt-4.1-mini"
[providers.mock]
kind = "openai-compatible"
base_url = "${mock.baseUrls.openai}"
[agents.w]
mode = "auto"
[queue]
url = "\${REDIS_URL}"
name = "${queueName}"
`);
const runtime = createRuntime(loaded, { stateDir });
const target = resolveQueueTarget(undefined, loaded.config.queue);
const client = await openQueue(target, loaded.config.queue);
const worker = await startWorker({
  client,
  runtime,
  config: loaded.config,
  concurrency: 2,
  approve: "deny",
  onFinished: (line) => console.error(`${line.status} ${line.id}`),
  onError: (message) => console.error(`worker: ${message}`),
  onNotice: (message) => console.error(message),
});
const jobs = Array.from({ length: count }, (_, i) => ({ id: `node-${i}`, prompt: `job ${i}` }));
const outcome = await submitJobs(client, jobs, {
  wait: { onLine: (line) => process.stdout.write(`${JSON.stringify(line)}\n`) },
});
console.error(`submitted ${outcome.added}, already known ${outcome.known}; worker ${worker.name}`);
worker.stop(1_000);
await worker.stopped;
await client.close();
await runtime.close();
await mock.close();
rmSync(stateDir, { recursive: true, force: true });
