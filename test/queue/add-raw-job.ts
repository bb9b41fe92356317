/**
 * Adds one job to a queue the way anything that can write to Redis can (a BullMQ producer of its
 * own), without `agentry submit`'s validation of the job line. Run with bun:
 * `bun test/queue/add-raw-job.ts REDIS_URL QUEUE JOB_ID SPEC_JSON`. Exits at once after adding
 * (closing Bun's Redis connection from a script reports an error the test does not care about).
 */
import { openQueue } from "../../src/queue/queue-client.ts";
import { bullJobId } from "../../src/queue/queue-settings.ts";
import { resolveQueueTarget } from "../../src/queue/queue-url.ts";

const [url, name, id, spec] = process.argv.slice(2) as [string, string, string, string];
const client = await openQueue(resolveQueueTarget(url, { name }), undefined);
await client.queue.add("run", { spec: JSON.parse(spec) } as never, { jobId: bullJobId(id) });
process.exit(0);
