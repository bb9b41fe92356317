import { ProviderError } from "../../spec/errors.ts";
import type { ModelEvent, ModelRequest, Provider } from "../../spec/model.ts";
import { abortedError } from "../http/attempt.ts";
import {
  asModelEvent,
  type Cassette,
  type MessageSummary,
  summarizeMessage,
  turnNumber,
} from "./cassette.ts";
import { matchTurn } from "./divergence.ts";
import { type CassetteRedactor, withoutDigests } from "./redact-cassette.ts";

/** User messages compared without placeholder digests, after `text` (identity or redaction). */
function comparable(
  messages: readonly MessageSummary[],
  text: (content: string) => string,
): MessageSummary[] {
  return messages.map((m) => (m.role === "user" ? { ...m, content: withoutDigests(text(m.content)) } : m));
}

/**
 * The recorded turn answering a request: its messages as they are, or redacted like a
 * redacting recorder stored them (`--record` redacts secrets and personal data).
 */
function findTurn(cassette: Cassette, request: ModelRequest, redact: CassetteRedactor | undefined) {
  const actual = request.messages.map(summarizeMessage);
  const match = matchTurn(
    cassette.turns,
    comparable(actual, (text) => text),
    turnNumber(request),
  );
  if (!("divergence" in match) || !redact) return match;
  const redacted = matchTurn(cassette.turns, comparable(actual, redact), turnNumber(request));
  return "divergence" in redacted ? match : redacted;
}

async function* replayStream(
  id: string,
  cassette: Cassette,
  request: ModelRequest,
  redact: CassetteRedactor | undefined,
): AsyncGenerator<ModelEvent> {
  if (request.signal?.aborted) {
    yield { type: "error", error: abortedError(id) };
    return;
  }
  const match = findTurn(cassette, request, redact);
  if ("divergence" in match) {
    yield {
      type: "error",
      error: new ProviderError(`${match.divergence} — cassette ${cassette.file}`, {
        provider: id,
        kind: "replay_divergence",
        retryable: false,
        data: { cassette: cassette.file, turn: turnNumber(request) },
      }),
    };
    return;
  }
  for (const event of match.turn.events) {
    if (request.signal?.aborted) {
      yield { type: "error", error: abortedError(id) };
      return;
    }
    yield asModelEvent(event);
  }
}

/**
 * The `replay` provider: answers each request with the recorded turn whose conversation
 * matches, emitting exactly the recorded events; a request the cassette cannot answer is an
 * `error` event of kind `replay_divergence` naming the turn and what differed. Makes no
 * network request. User messages are compared without placeholder digests; with `redact`, a
 * request whose user messages, redacted, match a redacted recording matches too.
 */
export function createReplayProvider(id: string, cassette: Cassette, redact?: CassetteRedactor): Provider {
  const comparableCassette: Cassette = {
    ...cassette,
    turns: cassette.turns.map((turn) => ({
      ...turn,
      request: { messages: comparable(turn.request.messages, (text) => text) },
    })),
  };
  return { id, kind: "replay", stream: (request) => replayStream(id, comparableCassette, request, redact) };
}
