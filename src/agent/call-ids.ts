import type { ToolCall } from "../spec/model.ts";

/**
 * A call id kept as the model gave it: characters every provider accepts (Anthropic's
 * `^[a-zA-Z0-9_-]+$`, which also makes it a safe file-name part) and at most 64 of them.
 */
const PLAIN_CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Start of the ids agentry gives calls in place of unusable ones. A model's id starting with it is
 * replaced too, so a kept id never equals a given one.
 */
const OWN_PREFIX = "agentry-";

/**
 * The model's tool calls of one turn with ids that are safe to write anywhere (audit log, events,
 * run and session state, spill-file names, the server's interrupts). A call id is the model's (or
 * its provider's) choice, so it is untrusted: one that is not plain (path separators, `..`, NUL,
 * controls, quotes, over 64 characters), starts with `agentry-`, or holds something the run's
 * redactor hides (a configured secret, a key, personal data) becomes `agentry-<turn>-<index>`.
 * The replacement is deterministic (a replayed cassette gives the same ids) and unique within the
 * run (turns are numbered on across resumes). It is made before the call enters the
 * conversation, so the assistant message, the tool result sent back to the provider, approvals
 * (which bind the call id) and `resume` all see the one id. Calls whose ids pass are returned as
 * they are (the same array when none changes).
 */
export function vetCallIds(calls: ToolCall[], turn: number, redact: (text: string) => string): ToolCall[] {
  let vetted: ToolCall[] | undefined;
  for (let index = 0; index < calls.length; index++) {
    const call = calls[index] as ToolCall;
    if (plainCallId(call.id, redact)) continue;
    vetted ??= calls.slice();
    vetted[index] = { ...call, id: `${OWN_PREFIX}${turn}-${index}` };
  }
  return vetted ?? calls;
}

function plainCallId(id: string, redact: (text: string) => string): boolean {
  return PLAIN_CALL_ID.test(id) && !id.startsWith(OWN_PREFIX) && redact(id) === id;
}
