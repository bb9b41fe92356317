import { type LoadedConfig, loadConfig } from "../config/loader.ts";
import { openQueue, type QueueClient } from "../queue/queue-client.ts";
import { resolveQueueTarget } from "../queue/queue-url.ts";
import { findConfigPath, findOptionalConfigPath } from "./config-path.ts";
import type { CommonOptions } from "./main.ts";

/** Options of the commands that talk to a queue. */
export interface QueueOptions extends CommonOptions {
  /** `redis://…`; else `[queue] url`. */
  queue?: string;
}

/**
 * Opens the queue of a queue command: `--queue URL`, else `[queue] url` from the configuration
 * (which only `worker` requires). Loads BullMQ, so only queue commands reach this module.
 */
export async function openCliQueue(
  options: QueueOptions,
  settings: { configRequired?: boolean } = {},
): Promise<{ client: QueueClient; loaded: LoadedConfig | undefined }> {
  const path = settings.configRequired
    ? findConfigPath(options.config)
    : findOptionalConfigPath(options.config);
  const loaded = path ? await loadConfig(path) : undefined;
  const target = resolveQueueTarget(options.queue, loaded?.config.queue);
  return { client: await openQueue(target, loaded?.config.queue), loaded };
}
