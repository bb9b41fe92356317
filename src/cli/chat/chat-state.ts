import { randomHex } from "../../digest/random.ts";
import type { UsageTotals } from "../../spec/events.ts";

/** What a chat carries from one message to the next; the conversation itself is in its session. */
export interface ChatState {
  agent: string;
  /** `/model` or `--model`: replaces the agent's model for the following turns. */
  model: string | undefined;
  /** The saved session every turn continues (`<state>/sessions/<id>.json`). */
  session: string;
  /** Totals of every turn of this chat (not of earlier chats of the same session). */
  usage: UsageTotals & { runs: number };
}

/**
 * The name of a chat's session when `--session` gives none: `chat-` and the UTC start time
 * (`chat-20260130-081502-3fa1`, sortable, valid as a session id), with 16 random bits so two chats
 * started in the same second never share a conversation.
 */
export function newChatSessionName(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
  return `chat-${stamp}-${randomHex(2)}`;
}
