import { type ConnectionOptions, createBunRedisClient } from "bullmq";
import { QueueUnavailableError } from "./errors.ts";
import { hideQueueSecrets, type QueueTarget } from "./queue-url.ts";

/** Plain Redis commands for agentry's own keys (results, approvals, cancellations). */
export interface RedisCommands {
  /** Sends one command; replies are numbers, strings, `null` or arrays of those. */
  send(command: string, args: string[]): Promise<unknown>;
}

/** A connection to the queue's Redis: BullMQ connections on demand, and a command client. */
export interface RedisLink extends RedisCommands {
  /** Connects once without retrying and sends PING: rejects at once when Redis is unreachable. */
  probe(): Promise<void>;
  /** A new connection for one BullMQ object (a Queue, a Worker, a QueueEvents each take their own). */
  bullConnection(): ConnectionOptions;
  /**
   * Closes the command client and every connection handed to BullMQ (BullMQ leaves a connection
   * it was given open, and an open one keeps a Node process alive); call it after closing them.
   */
  close(): Promise<void>;
}

interface RawClient {
  send(command: string, args: string[]): Promise<unknown>;
  connect(): Promise<void>;
  close(): void;
}

interface IORedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Bun's built-in client, as far as agentry uses it (typed here: the library's types are Node's). */
type BunRedisClient = new (url: string, options: Record<string, unknown>) => RawClient;

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects to the queue. Under Bun (the compiled binary) every connection is Bun's built-in
 * `RedisClient` wrapped by BullMQ's `createBunRedisClient`, so the binary embeds no other client;
 * on Node the optional `ioredis` package is loaded (install it next to agentry). Fails with
 * `QueueUnavailableError` (exit 4) when the server cannot be reached; messages never show the
 * URL's password.
 */
export async function connectRedis(target: QueueTarget): Promise<RedisLink> {
  const RedisClient = (globalThis as { Bun?: { RedisClient?: BunRedisClient } }).Bun?.RedisClient;
  const link = typeof RedisClient === "function" ? bunLink(RedisClient, target) : await nodeLink(target);
  try {
    await link.probe();
  } catch (err) {
    await link.close().catch(() => undefined);
    throw new QueueUnavailableError(
      `cannot reach the queue at ${target.display}: ${hideQueueSecrets((err as Error).message, target)}`,
      { queue: target.display },
    );
  }
  return link;
}

function bunLink(RedisClient: BunRedisClient, target: QueueTarget): RedisLink {
  const open = (): RawClient => new RedisClient(target.url, { connectionTimeout: CONNECT_TIMEOUT_MS });
  const commands = open();
  const given: RawClient[] = [];
  return {
    probe: async () => {
      const probe = new RedisClient(target.url, {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        autoReconnect: false,
      });
      try {
        await probe.connect();
        await probe.send("PING", []);
      } finally {
        probe.close();
      }
    },
    send: (command, args) => commands.send(command, args),
    bullConnection: () => {
      const client = open();
      given.push(client);
      return createBunRedisClient(client as unknown as Parameters<typeof createBunRedisClient>[0]);
    },
    close: async () => {
      commands.close();
      for (const client of given.splice(0)) client.close();
    },
  };
}

async function nodeLink(target: QueueTarget): Promise<RedisLink> {
  const moduleName = "ioredis";
  let IORedis: new (url: string, options: Record<string, unknown>) => IORedisLike;
  try {
    IORedis = ((await import(moduleName)) as { default: typeof IORedis }).default;
  } catch {
    throw new QueueUnavailableError(
      "the queue needs a Redis client on Node: install ioredis (npm install ioredis)",
    );
  }
  const commands = new IORedis(target.url, { connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  const given: IORedisLike[] = [];
  return {
    probe: async () => {
      await commands.call("PING");
    },
    send: (command, args) => commands.call(command, ...args),
    bullConnection: () => {
      const client = new IORedis(target.url, { maxRetriesPerRequest: null });
      given.push(client);
      return client as unknown as ConnectionOptions;
    },
    close: async () => {
      await commands.quit().catch(() => commands.disconnect());
      for (const client of given.splice(0)) client.disconnect();
    },
  };
}
