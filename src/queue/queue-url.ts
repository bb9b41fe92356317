import { interpolate } from "../config/interpolate.ts";
import type { QueueConfig } from "../config/schema.ts";
import { UsageError } from "../spec/errors.ts";

const SCHEMES = new Set(["redis:", "rediss:"]);

/** Where a queue lives: its URL (a secret: it may carry a password) and the BullMQ queue name. */
export interface QueueTarget {
  url: string;
  name: string;
  /** The URL with any user name and password replaced by `***`; the only form ever printed. */
  display: string;
  /** Values that must never appear in output (the URL and its password). */
  secrets: string[];
}

/** The queue name when `[queue] name` is not set. */
export const DEFAULT_QUEUE_NAME = "agentry";

/**
 * Resolves the queue from `--queue URL`, else `[queue] url` (with `${VAR}` resolved); neither is a
 * usage error. Only `redis://` and `rediss://` (TLS) URLs are accepted; Valkey speaks the same.
 */
export function resolveQueueTarget(
  flag: string | undefined,
  config: QueueConfig | undefined,
  env: Record<string, string | undefined> = process.env,
): QueueTarget {
  const fromConfig = flag === undefined && config?.url !== undefined;
  const resolved =
    flag ?? (config?.url === undefined ? undefined : interpolate(config.url, "queue.url", env));
  if (resolved === undefined) {
    throw new UsageError("no queue given", {
      hint: `pass --queue redis://HOST:6379, or set [queue] url = "\${REDIS_URL}" in the configuration`,
    });
  }
  const url = typeof resolved === "string" ? resolved : resolved.value;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${fromConfig ? "[queue] url" : "--queue"}: expected a redis:// or rediss:// URL`);
  }
  if (!SCHEMES.has(parsed.protocol)) {
    throw new UsageError(
      `${fromConfig ? "[queue] url" : "--queue"}: expected a redis:// or rediss:// URL, found a ${parsed.protocol}// URL`,
    );
  }
  const password = parsed.password ? decodeURIComponent(parsed.password) : "";
  return {
    url,
    name: config?.name ?? DEFAULT_QUEUE_NAME,
    display: redactUrl(parsed),
    secrets: [url, ...(password.length >= 4 ? [password, parsed.password] : [])],
  };
}

function redactUrl(url: URL): string {
  const auth = url.username || url.password ? "***@" : "";
  return `${url.protocol}//${auth}${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

/** Replaces every secret of the target in `text` (error messages from the Redis client). */
export function hideQueueSecrets(text: string, target: QueueTarget): string {
  let out = text;
  for (const secret of target.secrets)
    out = out.split(secret).join(secret === target.url ? target.display : "***");
  return out;
}
