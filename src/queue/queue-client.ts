import { Queue, QueueEvents, type QueueEventsListener, QueueEventsProducer } from "bullmq";
import type { QueueConfig } from "../config/schema.ts";
import type { JobSpec } from "../jobs/job-spec.ts";
import { connectRedis, type RedisLink } from "./connection.ts";
import { type JobRecord, JobStore } from "./job-store.ts";
import { type QueueSettings, queueSettings } from "./queue-settings.ts";
import type { QueueTarget } from "./queue-url.ts";

/** What a job carries through the queue: the job line as submitted. */
export interface QueuedJobData {
  spec: JobSpec;
}

/** A custom queue event (BullMQ's events stream) that agentry publishes. */
export type AgentryQueueEvent =
  | { eventName: "agentry:cancel"; jobId: string }
  | { eventName: "agentry:parked"; jobId: string };

/** Listeners of agentry's custom events, for `QueueEvents.on<AgentryEventsListener>(…)`. */
export interface AgentryEventsListener extends QueueEventsListener {
  "agentry:cancel": (args: { jobId: string }, id: string) => void;
  "agentry:parked": (args: { jobId: string }, id: string) => void;
}

/** An open queue: BullMQ's `Queue`, agentry's own records, and its events on demand. */
export interface QueueClient {
  readonly target: QueueTarget;
  readonly settings: QueueSettings;
  readonly link: RedisLink;
  readonly store: JobStore;
  readonly queue: Queue<QueuedJobData, JobRecord>;
  /** A new listener on the queue's events stream, reading from now on; the caller closes it. */
  events(): Promise<QueueEvents>;
  /** Publishes an agentry event on the queue's events stream. */
  publish(event: AgentryQueueEvent): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the queue named by `target` (connects first, so an unreachable Redis fails fast with
 * exit 4). Jobs set no retention of their own: the workers' `[queue] keep_finished` decides how
 * many finished jobs BullMQ keeps (all by default). A removed job's result stays in agentry's
 * store, so submitting its id again runs nothing.
 */
export async function openQueue(target: QueueTarget, config: QueueConfig | undefined): Promise<QueueClient> {
  const link = await connectRedis(target);
  const settings = queueSettings(config);
  const queue = new Queue<QueuedJobData, JobRecord>(target.name, {
    connection: link.bullConnection(),
    defaultJobOptions: {
      attempts: settings.attempts,
      backoff: { type: "exponential", delay: 1_000 },
    },
  });
  let producer: QueueEventsProducer | undefined;
  return {
    target,
    settings,
    link,
    store: new JobStore(link, target.name),
    queue,
    events: async () => {
      const events = new QueueEvents(target.name, { connection: link.bullConnection() });
      await events.waitUntilReady();
      return events;
    },
    publish: async (event) => {
      producer ??= new QueueEventsProducer(target.name, { connection: link.bullConnection() });
      await producer.publishEvent(event);
    },
    close: async () => {
      await producer?.close();
      await queue.close();
      await link.close();
    },
  };
}
