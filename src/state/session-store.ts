import { existsSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { lazySchema } from "../lazy-zod/lazy-schema.ts";
import { UsageError } from "../spec/errors.ts";
import type { Message } from "../spec/model.ts";
import { readJsonIfExists, writeJsonAtomic } from "./json-file.ts";
import { messageSchema } from "./message-schema.ts";

const SESSION_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Built on first use (`lazySchema`): zod schemas cost start-up time in every run that never reads a session back (docs/benchmarks/turns.md). */
const sessionSchema = lazySchema((z) =>
  z.object({
    id: z.string(),
    agent: z.string(),
    updated: z.string(),
    messages: z.array(messageSchema()),
  }),
);

export type Session = z.infer<ReturnType<typeof sessionSchema>>;

/** The most messages a session keeps in memory and on disk; older turns are dropped whole. */
export const MAX_SESSION_MESSAGES = 400;

/** Saved conversations under `<state>/sessions/<id>.json`, continued with `--session ID`. */
export class SessionStore {
  constructor(private readonly stateDir: string) {}

  /** The file of session `id`; an invalid id is a UsageError. */
  pathOf(id: string): string {
    if (!SESSION_ID.test(id)) {
      throw new UsageError(`invalid session id "${id}": use letters, digits, ".", "_" or "-" (at most 128)`);
    }
    return join(this.stateDir, "sessions", `${id}.json`);
  }

  /** The saved session, or undefined for a new id. A corrupt file is a usage error naming it. */
  load(id: string): Session | undefined {
    const path = this.pathOf(id);
    const raw = readJsonIfExists(path);
    if (raw === undefined) return undefined;
    const parsed = sessionSchema().safeParse(raw);
    if (!parsed.success)
      throw new UsageError(`session file ${path} is corrupt; delete it or use another --session id`);
    return parsed.data;
  }

  /** Whether session `id` has been saved. */
  has(id: string): boolean {
    return existsSync(this.pathOf(id));
  }

  save(session: Omit<Session, "updated">): void {
    writeJsonAtomic(this.pathOf(session.id), {
      ...session,
      messages: boundHistory(session.messages),
      updated: new Date().toISOString(),
    });
  }
}

/**
 * Keeps at most `max` messages, cutting only at a user message so an assistant's tool calls are
 * never separated from their results (providers reject orphaned tool messages).
 */
export function boundHistory(messages: Message[], max = MAX_SESSION_MESSAGES): Message[] {
  if (messages.length <= max) return messages;
  for (let start = messages.length - max; start < messages.length; start++) {
    if (messages[start]?.role === "user") return messages.slice(start);
  }
  return messages.slice(-1);
}
